/**
 * The representation of a result that holds a secret (a webhook signing secret): JSON, with
 * `Cache-Control: no-store`, so no cache keeps it and neither does the idempotency table (a retry with the
 * same `Idempotency-Key` gets 409 `conflict`, never the secret again: functions/http/runIdempotently.ts).
 */
export function renderSecret(result: unknown) {
  return { contentType: "application/json; charset=utf-8", body: JSON.stringify(result), headers: { "cache-control": "no-store" } };
}
