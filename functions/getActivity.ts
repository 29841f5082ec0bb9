import { defineHttp } from "./http/defineHttp.js";
import { Activity, ActivityPath } from "../shared/schemas/activity.js";
import { getActivity as readActivity } from "../shared/activities/activityStore.js";

export const getActivity = defineHttp({
  name: "getActivity",
  method: "GET",
  route: "v1/activities/{activityId}",
  auth: "partner",
  summary: "One activity of the caller's tenant, by its id.",
  tags: ["Activities"],
  params: ActivityPath,
  success: { status: 200, description: "The stored activity.", schema: Activity },
  errors: ["not_found"],
  handler: ({ params, caller }, services) => readActivity(services, caller.tenantId, params.activityId),
});
