import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

/** A new signing secret in the Standard Webhooks format: `whsec_` + base64 of 32 random bytes (HMAC-SHA256 key). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/**
 * The headers of one attempt (Standard Webhooks): `webhook-id` (the same on every retry), `webhook-timestamp`
 * (seconds, this attempt's time) and `webhook-signature`, one `v1,<base64 HMAC>` per secret, space-separated,
 * so a partner still verifying with the previous secret during a rotation keeps accepting deliveries.
 */
export function signatureHeaders(
  secrets: readonly string[],
  webhookId: string,
  timestamp: Date,
  body: string,
): { "webhook-id": string; "webhook-timestamp": string; "webhook-signature": string } {
  if (secrets.length === 0) throw new Error("signatureHeaders needs at least one secret");
  return {
    "webhook-id": webhookId,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(webhookId, timestamp, body)).join(" "),
  };
}
