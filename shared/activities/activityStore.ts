import { createHash, randomUUID } from "node:crypto";
import { odata, type TableEntityResult } from "@azure/data-tables";
import type { z } from "zod";
import type { Services } from "../services.js";
import { Activity, ActivityInput, PartnerActivityInput } from "../schemas/activity.js";
import { RecordType } from "../schemas/ids.js";
import { key } from "../storage/tables.js";
import { readPage, type Page } from "../storage/cursor.js";
import { WebCtiError, isEntityAlreadyExists } from "../errors.js";
import { readEntity } from "../storage/readEntity.js";
import { parseRow } from "../storage/parseRow.js";
import { getRecord } from "../directory/directoryStore.js";
import { getAgent, getNamedProvider, getProvider } from "../tenancy/tenancyStore.js";
import { pushToAgent } from "../realtime/agentPush.js";
import { durationsFromConversation } from "./conversationDurations.js";
import { appendToFeed } from "./activityFeed.js";
import { readCrmSettings } from "../tenancy/crmSettingsStore.js";
import { sendActivityEvent } from "../webhooks/crmEndpoint.js";
import type { PartnerPrincipal } from "../auth/partnerKeys.js";

type StoreServices = Pick<Services, "tables" | "caches" | "now" | "push">;

/** The activity's fields as a sender gave them, with the provider and agent the route decided. */
type ActivityContent = Omit<Activity, "activityId" | "createdAt">;

interface ClaimRow {
  activity: string;
  bodySha256: string;
}

/**
 * Two tables hold activities:
 *
 * - `activityIds` (PK tenant|activityId): one row per activity, written first with a conditional insert.
 *   It makes the id unique in the tenant and the write idempotent: of any number of requests with one
 *   id, exactly one insert succeeds; the others read the row and answer with it (same content) or
 *   refuse (other content).
 * - `activities` (PK tenant|type|recordId, RK inverted time|activityId): the record's timeline, one
 *   partition that reads newest first, so a page is one range read and the cursor a continuation token.
 *
 * The timeline row is written after the claim, by whichever request finds it missing (the first
 * request, or the retry of one that failed in between); the request that writes it pushes the activity
 * to its agent, so a live timeline gets it once. Before it, the same request appends the activity to the
 * tenant's feed and stores an `activity.created` delivery for the tenant's CRM endpoint: a crash in
 * between repeats those on the resend (at least once, never lost).
 *
 * Where records live decides what `record` may name (`crm.records`): in WebCTI's directory, a contact
 * or account that exists; in the CRM (`host`, `webhook`), the CRM's own type and id, taken as they are.
 */
export async function logActivity(
  services: StoreServices,
  identity: { tenantId: string; agentId: string },
  input: z.infer<typeof ActivityInput>,
): Promise<Activity> {
  const { tenantId } = identity;
  await getNamedProvider(services, tenantId, input.providerId, "invalid_request");
  const { activityId, ...fields } = input;
  return storeActivity(services, tenantId, activityId, { ...fields, agentId: identity.agentId });
}

/** A partner's server logs an activity: the provider is the key's; a named agent must be the tenant's. */
export async function logPartnerActivity(
  services: StoreServices,
  caller: PartnerPrincipal,
  input: z.infer<typeof PartnerActivityInput>,
): Promise<Activity> {
  const { activityId, agentId, ...fields } = input;
  if (agentId) await getAgent(services, caller.tenantId, agentId);
  const content = { ...fields, providerId: caller.providerId, ...(agentId ? { agentId } : {}) };
  const complete = content.conversationId && !content.durations
    ? async (activity: Activity): Promise<Activity> => {
        const durations = await durationsFromConversation(services, caller, activity);
        return durations ? { ...activity, durations } : activity;
      }
    : undefined;
  return storeActivity(services, caller.tenantId, activityId, content, complete);
}

async function storeActivity(
  services: StoreServices,
  tenantId: string,
  givenId: string | undefined,
  content: ActivityContent,
  /** Adds what WebCTI derives (durations from the conversation) after the sent content is fingerprinted. */
  complete?: (activity: Activity) => Promise<Activity>,
): Promise<Activity> {
  await checkRecord(services, tenantId, content.record);
  const activityId = givenId ?? randomUUID();
  const activity = Activity.parse({ ...content, activityId, createdAt: services.now().toISOString() });
  // A resend is recognized by what was sent, not by what WebCTI derived from it (which may have changed since).
  const bodySha256 = contentHash(activity);
  const claimKey = key(tenantId, activityId);
  let stored = complete ? await complete(activity) : activity;
  let fresh = true;
  try {
    await services.tables.activityIds.createEntity({
      partitionKey: claimKey,
      rowKey: "",
      activity: JSON.stringify(stored),
      bodySha256,
    });
  } catch (error) {
    if (!isEntityAlreadyExists(error)) throw error;
    const claim = await readClaim(services, claimKey);
    if (!claim) throw error; // ids are never deleted: not reached
    if (claim.bodySha256 !== bodySha256) {
      throw new WebCtiError("conflict", `Activity id '${activityId}' was already used for another activity.`, {
        errors: [{ pointer: "#/activityId", detail: "already used with other content" }],
      });
    }
    stored = claim.activity;
    fresh = false;
  }
  if (fresh || !(await hasTimelineRow(services, tenantId, stored))) {
    await Promise.all([appendToFeed(services, tenantId, stored), sendActivityEvent(services, tenantId, "activity.created", stored)]);
  }
  if (await insertTimelineRow(services, tenantId, stored)) await pushActivity(services, tenantId, stored);
  return stored;
}

/** The record an activity names must be a directory record only where the tenant's records are the directory's. */
async function checkRecord(services: StoreServices, tenantId: string, record: { type: string; id: string }): Promise<void> {
  const { records } = await readCrmSettings(services, tenantId);
  if (records !== "directory") return;
  const type = RecordType.safeParse(record.type);
  if (!type.success) {
    throw new WebCtiError("invalid_request", `Records of this tenant are contacts and accounts, not '${record.type}'.`, {
      errors: [{ pointer: "#/record/type", detail: "must be contact or account (the tenant's records are WebCTI's directory)" }],
    });
  }
  if (!(await getRecord(services.tables, tenantId, type.data, record.id))) {
    throw new WebCtiError("invalid_request", `No ${type.data} '${record.id}' in this tenant.`, {
      errors: [{ pointer: "#/record/id", detail: "no such record" }],
    });
  }
}

/** What makes two requests "the same activity": every field but the time it was logged, in any key order. */
function contentHash(activity: Activity): string {
  const { createdAt: _createdAt, ...content } = activity;
  return createHash("sha256").update(canonicalJson(content)).digest("base64");
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

async function hasTimelineRow(services: Pick<Services, "tables">, tenantId: string, activity: Activity): Promise<boolean> {
  const { partitionKey, rowKey } = timelineRowOf(tenantId, activity);
  return (await readEntity(services.tables.activities, partitionKey, rowKey, () => true)) ?? false;
}

function timelineRowOf(tenantId: string, activity: Activity) {
  return { partitionKey: timelineKey(tenantId, activity.record.type, activity.record.id), rowKey: timelineRowKey(activity) };
}

/** True when this call wrote the row; false when it was there already (a resend, or a parallel duplicate). */
async function insertTimelineRow(services: Pick<Services, "tables">, tenantId: string, activity: Activity): Promise<boolean> {
  try {
    await services.tables.activities.createEntity({ ...timelineRowOf(tenantId, activity), activity: JSON.stringify(activity) });
    return true;
  } catch (error) {
    if (isEntityAlreadyExists(error)) return false;
    throw error;
  }
}

/**
 * Best effort: the activity is stored, and the timeline read is the truth. A page that misses the push
 * (offline, or Web PubSub unreachable) shows the activity the next time it loads the timeline, so a
 * failed push does not fail the request (a retry would not push again anyway: its row is there).
 */
async function pushActivity(services: Pick<Services, "push">, tenantId: string, activity: Activity): Promise<void> {
  if (!activity.agentId) return;
  try {
    await pushToAgent(services.push, tenantId, activity.agentId, { v: 1, kind: "activity", activity });
  } catch {
    // see above
  }
}

export async function getActivity(services: Pick<Services, "tables">, tenantId: string, activityId: string): Promise<Activity> {
  const claim = await readClaim(services, key(tenantId, activityId));
  if (!claim) throw new WebCtiError("not_found", `No activity '${activityId}' in this tenant.`);
  return claim.activity;
}

function readClaim(services: Pick<Services, "tables">, claimKey: string) {
  return readEntity(services.tables.activityIds, claimKey, "", (row: TableEntityResult<ClaimRow>) => ({
    activity: Activity.parse(JSON.parse(row.activity)),
    bodySha256: row.bodySha256,
  }));
}

/** One page of a record's timeline, newest first. */
export async function listActivities(
  services: Pick<Services, "tables">,
  tenantId: string,
  type: RecordType,
  recordId: string,
  options: { limit: number; cursor?: string | undefined },
): Promise<Page<Activity>> {
  const partitionKey = timelineKey(tenantId, type, recordId);
  const query = services.tables.activities.listEntities<{ activity: string }>({
    queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ["PartitionKey", "RowKey", "activity"] },
  });
  const page = await readPage(query, options.limit, options.cursor, partitionKey);
  const items = page.items.map((row) => parseRow(services.tables.activities, row, () => Activity.parse(JSON.parse(row.activity))));
  return { items, nextCursor: page.nextCursor };
}

export function timelineKey(tenantId: string, type: string, recordId: string) {
  return key(tenantId, type, recordId);
}

/** The latest millisecond an ISO date-time can name (9999-12-31T23:59:59.999Z). */
const lastMillisecond = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * When the activity happened (its end, else its start, else when it was logged), inverted so that
 * ascending RowKey order is newest first: 15 digits cover years 0000 to 9999. The id breaks ties.
 */
export function timelineRowKey(activity: Pick<Activity, "activityId" | "endedAt" | "startedAt" | "createdAt">): string {
  const when = Date.parse(activity.endedAt ?? activity.startedAt ?? activity.createdAt);
  return key(String(lastMillisecond - when).padStart(15, "0"), activity.activityId);
}
