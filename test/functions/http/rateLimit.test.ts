import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../../support/stack.js";
import type { Stack } from "../../../local/stack.js";
import type { DemoSeed } from "../../../local/seedDemo.js";
import { demo } from "../../../local/seedDemo.js";
import { issuePartnerKey } from "../../../shared/auth/partnerKeys.js";
import { putProvider } from "../../../shared/tenancy/tenancyStore.js";
import { TokenBuckets } from "../../../functions/http/rateLimit.js";

let stack: Stack;
let seed: DemoSeed;
/** Keys of a provider allowed a burst of 3 and then one request per 100 s: no refill during the test. */
const limited = { requestsPerSecond: 0.01, burst: 3 };
const newKey = async () => (await issuePartnerKey(stack.services.tables, demo.tenantId, "limited", new Date())).apiKey;
const poke = (key: string) => call(`${stack.apiUrl}/v1/screen-pops/${"0".repeat(20)}.${demo.agentId}`, { key });

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
  await putProvider(stack.services, { tenantId: demo.tenantId, providerId: "limited", label: "Limited", rateLimit: limited });
});
afterAll(() => stack?.close());

describe("partner rate limits", () => {
  it("allows the burst, then answers 429 rate_limited with Retry-After and the RateLimit fields", async () => {
    const key = await newKey();
    const allowed = [await poke(key), await poke(key), await poke(key)];
    for (const res of allowed) expect(res.status).not.toBe(429);
    expect(allowed.map((r) => r.headers.get("ratelimit"))).toEqual(['"partner-key";r=2;t=100', '"partner-key";r=1;t=200', '"partner-key";r=0;t=300']);
    expect(allowed[0]!.headers.get("ratelimit-policy")).toBe('"partner-key";q=3;w=300');
    const refused = await poke(key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.body).toMatchObject({ code: "rate_limited", status: 429 });
    const retryAfter = refused.headers.get("retry-after")!;
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("ratelimit")).toMatch(/^"partner-key";r=0;t=\d+$/);
    expect(refused.headers.get("webcti-version")).toBeTruthy();
  });

  it("keeps a bucket per key: another key of the same provider is unaffected", async () => {
    const spent = await newKey();
    for (let i = 0; i < 4; i++) await poke(spent);
    expect((await poke(spent)).status).toBe(429);
    const other = await newKey();
    expect((await poke(other)).status).not.toBe(429);
    expect((await call(`${stack.apiUrl}/v1/screen-pops/${"0".repeat(20)}.${demo.agentId}`, { key: seed.apiKey })).status).not.toBe(429);
  });

  it("does not let failed authentication drain a key's bucket", async () => {
    const key = await newKey();
    const forged = key.replace(/_[^_]+$/, `_${"A".repeat(43)}`);
    for (let i = 0; i < 10; i++) expect((await poke(forged)).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await poke(key)).status).not.toBe(429);
  });

  it("uses the deployment's defaults (50/s, burst 100) for a provider without its own", async () => {
    const res = await poke(seed.apiKey);
    expect(res.headers.get("ratelimit-policy")).toBe('"partner-key";q=100;w=2');
  });
});

describe("TokenBuckets", () => {
  it("refills at the rate up to the burst", () => {
    const buckets = new TokenBuckets();
    const limit = { requestsPerSecond: 2, burst: 4 };
    for (let i = 0; i < 4; i++) expect(buckets.take("k", limit, 0).allowed).toBe(true);
    const empty = buckets.take("k", limit, 0);
    expect(empty).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    expect(buckets.take("k", limit, 499).allowed).toBe(false);
    expect(buckets.take("k", limit, 500).allowed).toBe(true);
    expect(buckets.take("k", limit, 60_000)).toMatchObject({ allowed: true, remaining: 3, resetSeconds: 1 });
  });
});
