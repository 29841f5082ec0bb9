import { defineHttp } from "./http/defineHttp.js";
import { ActivityList } from "../shared/schemas/activity.js";
import { RecordPath, recordTypeOf } from "../shared/schemas/directoryRoutes.js";
import { listActivities } from "../shared/activities/activityStore.js";
import { readRecord } from "../shared/directory/saveRecord.js";

export const listRecordActivities = defineHttp({
  name: "listRecordActivities",
  method: "GET",
  route: "v1/agent/directory/{collection}/{recordId}/activities",
  auth: "agent",
  summary: "A record's timeline: the calls and chats logged on it.",
  tags: ["Agent"],
  params: RecordPath,
  success: { status: 200, description: "Newest first, up to 200.", schema: ActivityList },
  errors: ["unauthenticated", "forbidden", "not_found"],
  handler: async ({ params, caller }, services) => {
    const type = recordTypeOf(params.collection);
    await readRecord(services, caller.tenantId, type, params.recordId);
    return { activities: await listActivities(services.tables, caller.tenantId, type, params.recordId) };
  },
});
