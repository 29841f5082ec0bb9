import { z } from "zod";
import { defineHttp } from "./http/defineHttp.js";
import { ActivityList } from "../shared/schemas/activity.js";
import { RecordPath, recordTypeOf } from "../shared/schemas/directoryRoutes.js";
import { CursorQuery } from "../shared/schemas/cursor.js";
import { listActivities } from "../shared/activities/activityStore.js";
import { readRecord } from "../shared/directory/saveRecord.js";

export const listDirectoryRecordActivities = defineHttp({
  name: "listDirectoryRecordActivities",
  method: "GET",
  route: "v1/directory/{collection}/{recordId}/activities",
  auth: "partner",
  summary: "A record's timeline: every activity logged on it (by any provider or agent of the tenant), newest first.",
  tags: ["Activities"],
  params: RecordPath,
  query: z.object(CursorQuery),
  success: { status: 200, description: "One page, newest first; `nextCursor` reads the next.", schema: ActivityList },
  errors: ["invalid_request", "not_found"],
  handler: async ({ params, query, caller }, services) => {
    const type = recordTypeOf(params.collection);
    await readRecord(services, caller.tenantId, type, params.recordId);
    const page = await listActivities(services, caller.tenantId, type, params.recordId, query);
    return { activities: page.items, nextCursor: page.nextCursor };
  },
});
