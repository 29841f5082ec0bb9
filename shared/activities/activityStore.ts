import { createHash, randomUUID } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { odata } from "@azure/data-tables";
import type { Services } from "../services.js";
import { Activity, ActivityInput } from "../schemas/activity.js";
import type { RecordType } from "../schemas/ids.js";
import { key } from "../storage/tables.js";
import { WebCtiError, isEntityAlreadyExists } from "../errors.js";
import { getRecord } from "../directory/directoryStore.js";
import { getProvider } from "../tenancy/tenancyStore.js";
import type { z } from "zod";

type ActivityTables = { activities: TableClient; directory: TableClient; directoryIndex: TableClient };

interface ActivityRow {
  activity: string;
  bodySha256: string;
}

/**
 * Activities live with the record they concern: PartitionKey tenant|type|recordId (one record's timeline
 * is one partition query), RowKey the activity id (a resend with the same id finds the first write).
 */
export async function logActivity(
  services: Pick<Services, "tables" | "caches" | "now">,
  identity: { tenantId: string; agentId: string },
  input: z.infer<typeof ActivityInput>,
): Promise<Activity> {
  const { tenantId } = identity;
  await getProvider(services, tenantId, input.providerId).catch((error: unknown) => {
    if (error instanceof WebCtiError && error.code === "forbidden") {
      throw new WebCtiError("invalid_request", `Provider '${input.providerId}' is not configured for this tenant.`, {
        errors: [{ pointer: "#/providerId", detail: "unknown provider" }],
      });
    }
    throw error;
  });
  if (!(await getRecord(services.tables, tenantId, input.record.type, input.record.id))) {
    throw new WebCtiError("invalid_request", `No ${input.record.type} '${input.record.id}' in this tenant.`, {
      errors: [{ pointer: "#/record/id", detail: "no such record" }],
    });
  }
  const { activityId: given, ...fields } = input;
  const activityId = given ?? randomUUID();
  const bodySha256 = createHash("sha256").update(JSON.stringify(fields)).digest("base64");
  const activity: Activity = Activity.parse({ ...fields, activityId, agentId: identity.agentId, createdAt: services.now().toISOString() });
  const partitionKey = timelineKey(tenantId, input.record.type, input.record.id);
  try {
    await services.tables.activities.createEntity({ partitionKey, rowKey: activityId, activity: JSON.stringify(activity), bodySha256 });
    return activity;
  } catch (error) {
    if (!isEntityAlreadyExists(error)) throw error;
    const stored = await services.tables.activities.getEntity<ActivityRow>(partitionKey, activityId);
    if (stored.bodySha256 !== bodySha256) {
      throw new WebCtiError("conflict", `Activity id '${activityId}' was already used for another activity.`, {
        errors: [{ pointer: "#/activityId", detail: "already used with other content" }],
      });
    }
    return Activity.parse(JSON.parse(stored.activity));
  }
}

export async function listActivities(
  tables: Pick<ActivityTables, "activities">,
  tenantId: string,
  type: RecordType,
  recordId: string,
  limit = 200,
): Promise<Activity[]> {
  const activities: Activity[] = [];
  const rows = tables.activities.listEntities<ActivityRow>({
    queryOptions: { filter: odata`PartitionKey eq ${timelineKey(tenantId, type, recordId)}`, select: ["activity"] },
  });
  for await (const row of rows) {
    activities.push(Activity.parse(JSON.parse(row.activity)));
    if (activities.length >= 5000) break;
  }
  const when = (a: Activity) => Date.parse(a.endedAt ?? a.startedAt ?? a.createdAt);
  return activities.sort((a, b) => when(b) - when(a)).slice(0, limit);
}

function timelineKey(tenantId: string, type: RecordType, recordId: string) {
  return key(tenantId, type, recordId);
}
