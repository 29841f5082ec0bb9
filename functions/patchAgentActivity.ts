import { defineHttp } from "./http/defineHttp.js";
import { Activity, ActivityPath, ActivityUpdate } from "../shared/schemas/activity.js";
import { activityEtag, updateActivity } from "../shared/activities/updateActivity.js";

export const patchAgentActivity = defineHttp({
  name: "patchAgentActivity",
  method: "PATCH",
  route: "v1/agent/activities/{activityId}",
  auth: "agent",
  summary: "Change an activity of the agent's tenant that the given provider logged (from a widget): the fields sent replace the stored ones.",
  tags: ["Agent"],
  params: ActivityPath,
  body: ActivityUpdate,
  success: { status: 200, description: "The activity as stored now; `ETag` is its entity tag for the next `If-Match`.", schema: Activity },
  etag: activityEtag,
  errors: ["unauthenticated", "forbidden", "invalid_request", "not_found", "precondition_failed", "conflict"],
  handler: ({ params, body, caller, headers }, services) => updateActivity(services, caller.tenantId, params.activityId, body, headers.get("if-match")),
});
