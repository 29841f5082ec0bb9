import { z } from "zod";
import { WebCtiError } from "../errors.js";
import type { Services } from "../services.js";
import { lastProjectionRun } from "../analytics/runProjection.js";

/** What `GET /api/health` answers when the service can serve: no tenant data, nothing secret. */
export const Readiness = z
  .object({
    status: z.literal("ready"),
    checkedAt: z.iso.datetime(),
    storage: z.object({ latencyMs: z.number().int().nonnegative() }),
    push: z.object({ latencyMs: z.number().int().nonnegative() }),
    projection: z.object({
      lastRunAt: z.iso.datetime().nullable().describe("When the KPI projection last finished a run (null: never, in this deployment)."),
      lagSeconds: z.number().int().nonnegative().nullable().describe("Seconds since then: KPIs include what was stored before it."),
    }),
  })
  .meta({ id: "Readiness" });
export type Readiness = z.infer<typeof Readiness>;

/** A user id that is never an agent's (agent user ids hold "|"): asking whether it is connected is a cheap, harmless read. */
const probeUser = "webcti-health-probe";
/** One check per process per this long at most: the route is anonymous, and must not become a way to load storage. */
const reuseMs = 2000;

let cached: { at: number; result: Promise<Readiness> } | undefined;

/**
 * Storage and push reachable (one point read of the projection's lease row, one "is this user connected"
 * call), and the projection's lag. Throws `storage_unavailable` or `push_unavailable` (503, `Retry-After` from
 * the call guard's next probe) when one is not. Results are shared for 2 s.
 */
export function checkReadiness(services: Pick<Services, "tables" | "push" | "guards" | "now">): Promise<Readiness> {
  const at = Date.now();
  if (cached && at - cached.at < reuseMs) return cached.result;
  const result = probe(services);
  cached = { at, result };
  result.catch(() => undefined);
  return result;
}

async function probe(services: Pick<Services, "tables" | "push" | "guards" | "now">): Promise<Readiness> {
  const timed = async <T>(call: () => Promise<T>): Promise<[T, number]> => {
    const started = performance.now();
    const value = await call();
    return [value, Math.round(performance.now() - started)];
  };
  const [storage, push] = await Promise.allSettled([
    timed(() => lastProjectionRun(services.tables)),
    timed(() => services.push.userExists(probeUser)),
  ]);
  if (storage.status === "rejected") throw unavailable(storage.reason, "storage_unavailable", services.guards.storage.state().retryAfterSeconds);
  if (push.status === "rejected") throw unavailable(push.reason, "push_unavailable", services.guards.push.state().retryAfterSeconds);
  const [lastRunAt, storageMs] = storage.value;
  const now = services.now();
  return {
    status: "ready",
    checkedAt: now.toISOString(),
    storage: { latencyMs: storageMs },
    push: { latencyMs: push.value[1] },
    projection: {
      lastRunAt: lastRunAt ?? null,
      lagSeconds: lastRunAt ? Math.max(0, Math.round((now.getTime() - Date.parse(lastRunAt)) / 1000)) : null,
    },
  };
}

function unavailable(reason: unknown, code: "storage_unavailable" | "push_unavailable", retryAfterSeconds: number): WebCtiError {
  const what = code === "storage_unavailable" ? "Table storage" : "Web PubSub";
  if (reason instanceof WebCtiError && reason.code === code) return reason;
  return new WebCtiError(code, `${what} is not reachable; retry later.`, { retryAfterSeconds: Math.max(1, retryAfterSeconds), cause: reason });
}
