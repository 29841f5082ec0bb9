import { WebCtiError } from "../../shared/errors.js";
import type { Services } from "../../shared/services.js";
import type { RateLimit } from "../../shared/schemas/provider.js";
import type { Provider } from "../../shared/schemas/provider.js";

/**
 * Rate limits: one token bucket per partner key, per integration key and per signed-in agent, in this
 * process. Each function instance keeps its own buckets, so with N instances a key may send up to N times its rate. That is on purpose:
 * a shared counter would cost a storage round trip (an etag loop under contention) on every request,
 * and the limit is there to keep one noisy integration from starving the others on an instance, not to
 * meter usage exactly. A deployment that needs one global quota puts a gateway (API Management) in front.
 *
 * Only authenticated callers get a bucket: the bucket is chosen after the key's secret (or the agent's
 * session or token, and a cookie request's origin) was checked, so requests with a wrong or someone
 * else's key id, or forged from another site, cannot drain another caller's bucket.
 */
export interface RateDecision {
  allowed: boolean;
  /** Whole requests left right now. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** When refused: whole seconds (≥ 1) until one request is allowed again. */
  retryAfterSeconds: number;
  limit: RateLimit;
  /** The quota's name in the RateLimit fields. */
  policy?: RatePolicy;
}

export type RatePolicy = "partner-key" | "integration-key" | "agent";

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Least recently used buckets are dropped past this many keys (a dropped key starts again with a full bucket). */
const maxBuckets = 10_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  take(id: string, limit: RateLimit, nowMs: number): RateDecision {
    const { requestsPerSecond: rate, burst } = limit;
    const bucket = this.buckets.get(id);
    const elapsedSeconds = bucket ? Math.max(0, nowMs - bucket.atMs) / 1000 : 0;
    let tokens = bucket ? Math.min(burst, bucket.tokens + elapsedSeconds * rate) : burst;
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    // Re-inserting keeps the Map in least-recently-used order, so the first key is the one to drop.
    this.buckets.delete(id);
    this.buckets.set(id, { tokens, atMs: nowMs });
    if (this.buckets.size > maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
    return {
      allowed,
      remaining: Math.floor(tokens),
      resetSeconds: Math.ceil((burst - tokens) / rate),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / rate)),
      limit,
    };
  }
}

/** One set of buckets per Services (per process in Azure; per test stack in tests). */
const bucketsOf = new WeakMap<Services, TokenBuckets>();

export function defaultRateLimit(config: Services["config"]): RateLimit {
  return { requestsPerSecond: config.WEBCTI_RATE_LIMIT_PER_SECOND, burst: config.WEBCTI_RATE_LIMIT_BURST };
}

/** A signed-in agent's rate (every agent route, whatever the credential): the deployment's agent defaults. */
export function agentRateLimit(config: Services["config"]): RateLimit {
  return { requestsPerSecond: config.WEBCTI_AGENT_RATE_PER_SECOND, burst: config.WEBCTI_AGENT_RATE_BURST };
}

/** A signed-in agent's bucket (ids cannot contain `|`, so no two agents share one). */
export function agentBucketId(tenantId: string, agentId: string): string {
  return `agent:${tenantId}|${agentId}`;
}

/**
 * Takes one token from a caller's bucket; throws `rate_limited` (429, `Retry-After`) when it is empty. A
 * partner key's rate is its provider's `rateLimit` (as the edge read it, cached), else the deployment's
 * defaults; an integration key has the defaults; an agent the agent defaults. `bucketId` names the caller.
 */
export function takeRateToken(services: Services, bucketId: string, limit: RateLimit, policy: RatePolicy = "partner-key"): RateDecision {
  let buckets = bucketsOf.get(services);
  if (!buckets) bucketsOf.set(services, (buckets = new TokenBuckets()));
  const decision = { ...buckets.take(bucketId, limit, services.now().getTime()), policy };
  if (!decision.allowed) {
    throw new RateLimitedError(decision);
  }
  return decision;
}

/** A partner key's rate: its provider's `rateLimit`, else the deployment's defaults. */
export function partnerRateLimit(services: Services, provider: Pick<Provider, "rateLimit">): RateLimit {
  return provider.rateLimit ?? defaultRateLimit(services.config);
}

const callerOf: Record<RatePolicy, string> = {
  "partner-key": "This partner key",
  "integration-key": "This integration key",
  agent: "This agent",
};

/** The `rate_limited` error, carrying the decision so the answer can still send the RateLimit fields. */
export class RateLimitedError extends WebCtiError {
  constructor(readonly decision: RateDecision) {
    super(
      "rate_limited",
      `${callerOf[decision.policy ?? "partner-key"]} may send ${decision.limit.requestsPerSecond} requests per second (burst ${decision.limit.burst}); retry after ${decision.retryAfterSeconds} s.`,
      { retryAfterSeconds: decision.retryAfterSeconds },
    );
  }
}

/**
 * The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): the policy as a quota of `burst`
 * requests per window (the time an empty bucket takes to fill), and what is left of it now.
 */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  const { requestsPerSecond: rate, burst } = decision.limit;
  const window = Math.max(1, Math.ceil(burst / rate));
  const policy = decision.policy ?? "partner-key";
  return {
    "ratelimit-policy": `"${policy}";q=${burst};w=${window}`,
    ratelimit: `"${policy}";r=${decision.remaining};t=${decision.resetSeconds}`,
  };
}
