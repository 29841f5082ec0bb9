import { createHash } from "node:crypto";
import { odata, type TableEntityResult } from "@azure/data-tables";
import type { Services } from "../services.js";
import { Activity, type ActivityUpdate } from "../schemas/activity.js";
import { key } from "../storage/tables.js";
import { readEntity } from "../storage/readEntity.js";
import { WebCtiError, isNotFound, isPreconditionFailed } from "../errors.js";
import { sendActivityEvent } from "../webhooks/crmEndpoint.js";
import { appendToFeed } from "./activityFeed.js";
import { canonicalJson, timelineKey, timelineRowKey } from "./activityStore.js";

type UpdateServices = Pick<Services, "tables" | "now" | "config" | "caches">;

interface ClaimRow {
  activity: string;
  bodySha256: string;
}

/** Writers that kept winning the race before this one gives up (409 conflict: retry). */
const maxAttempts = 10;

/**
 * The entity tag of an activity: a strong tag of its content, so an update that changes nothing keeps it
 * and any change gives another (docs/activities.md, "Changing an activity").
 */
export function activityEtag(activity: Activity): string {
  return `"${createHash("sha256").update(canonicalJson(activity)).digest("base64url").slice(0, 27)}"`;
}

/**
 * Changes the given fields of one of the provider's activities in the tenant (activityStore.ts keeps the
 * tables). The `activityIds` row is the activity's truth: it is replaced under its storage etag, so of two
 * concurrent updates each applies to what the other stored (or, with `If-Match`, the later one gets 412).
 * The claim's `bodySha256` stays that of the first body, so a resend of the original POST still answers
 * (with the current activity). After the row, the update is finished (finishUpdate): the tenant's feed
 * and CRM endpoint get it, then the timeline row moves to where the activity now sorts.
 */
export async function updateActivity(
  services: UpdateServices,
  tenantId: string,
  activityId: string,
  update: ActivityUpdate,
  ifMatch: string | null,
): Promise<Activity> {
  const claimKey = key(tenantId, activityId);
  const { providerId, ...fields } = update;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const claim = await readEntity(services.tables.activityIds, claimKey, "", (row: TableEntityResult<ClaimRow>) => ({
      activity: Activity.parse(JSON.parse(row.activity)),
      bodySha256: row.bodySha256,
      etag: row.etag,
    }));
    if (!claim || claim.activity.providerId !== providerId) {
      throw new WebCtiError("not_found", `No activity '${activityId}' of provider '${providerId}' in this tenant.`);
    }
    if (ifMatch !== null && !etagMatches(ifMatch, activityEtag(claim.activity))) {
      throw new WebCtiError("precondition_failed", `Activity '${activityId}' changed since the version If-Match names.`, {
        errors: [{ header: "If-Match", detail: `the activity's etag is now ${activityEtag(claim.activity)}` }],
      });
    }
    const changed = applyChange(claim.activity, fields, services.now());
    if (!changed) {
      // Nothing to change: this may be the retry of an update that stopped after its first write.
      await finishUpdate(services, tenantId, claim.activity, undefined);
      return claim.activity;
    }
    try {
      await services.tables.activityIds.updateEntity(
        { partitionKey: claimKey, rowKey: "", activity: JSON.stringify(changed), bodySha256: claim.bodySha256 },
        "Replace",
        { etag: claim.etag },
      );
    } catch (error) {
      if (isPreconditionFailed(error)) continue; // another update won: read it and decide again
      throw error;
    }
    await finishUpdate(services, tenantId, changed, claim.activity);
    return changed;
  }
  throw new WebCtiError("conflict", `Activity '${activityId}' kept changing under concurrent updates; retry.`);
}

/** The activity with the fields replaced and `updatedAt` set, or undefined when nothing would change. */
function applyChange(current: Activity, fields: Omit<ActivityUpdate, "providerId">, now: Date): Activity | undefined {
  const { updatedAt: _previous, ...before } = current;
  const after = { ...before, ...fields };
  if (canonicalJson(after) === canonicalJson(before)) return undefined;
  if (after.startedAt && after.endedAt && Date.parse(after.startedAt) > Date.parse(after.endedAt)) {
    const pointer = fields.endedAt !== undefined ? "#/endedAt" : "#/startedAt";
    throw new WebCtiError("invalid_request", "The activity would end before it starts.", { errors: [{ pointer, detail: "endedAt is before startedAt" }] });
  }
  return Activity.parse({ ...after, updatedAt: now.toISOString() });
}

/** RFC 9110 If-Match: `*`, or a list of strong tags, one of which must be the current one. */
function etagMatches(header: string, current: string): boolean {
  const tags = header.split(",").map((tag) => tag.trim());
  return tags.includes("*") || tags.includes(current);
}

/**
 * What follows the stored change, each step repeatable: the feed row and the `activity.updated`
 * delivery first, then the timeline row at the activity's (maybe new) place, then the old row removed.
 * A crash in between leaves the timeline behind; the retry finds it so and does it all again (the CRM
 * may get the event twice: at least once). `previous` is the activity before this change; unknown on a
 * retry, when the activity's rows on its timeline are looked up.
 */
async function finishUpdate(services: UpdateServices, tenantId: string, activity: Activity, previous: Activity | undefined): Promise<void> {
  const partitionKey = timelineKey(tenantId, activity.record.type, activity.record.id);
  const rowKey = timelineRowKey(activity);
  const json = JSON.stringify(activity);
  if (!previous) {
    const shown = await readEntity(services.tables.activities, partitionKey, rowKey, (row: TableEntityResult<{ activity: string }>) => row.activity);
    if (shown === json) return; // the update was finished
  }
  await Promise.all([appendToFeed(services, tenantId, activity), sendActivityEvent(services, tenantId, "activity.updated", activity)]);
  await services.tables.activities.upsertEntity({ partitionKey, rowKey, activity: json }, "Replace");
  const stale = previous ? [timelineRowKey(previous)] : await rowKeysOf(services, partitionKey, activity.activityId);
  for (const old of stale.filter((k) => k !== rowKey)) {
    await services.tables.activities.deleteEntity(partitionKey, old).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }
}

/** The timeline rows of one activity on its record's timeline (its id ends each RowKey). */
async function rowKeysOf(services: Pick<Services, "tables">, partitionKey: string, activityId: string): Promise<string[]> {
  const keys: string[] = [];
  const rows = services.tables.activities.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ["RowKey"] } });
  for await (const row of rows) if (row.rowKey?.endsWith(`|${activityId}`)) keys.push(row.rowKey);
  return keys;
}
