import { defineHttp } from "./http/defineHttp.js";
import { Activity, ActivityInput } from "../shared/schemas/activity.js";
import { logActivity } from "../shared/activities/activityStore.js";

export const postAgentActivity = defineHttp({
  name: "postAgentActivity",
  method: "POST",
  route: "v1/agent/activities",
  auth: "agent",
  summary: "Log a call or chat on a record's timeline, from the agent desktop or a widget in it.",
  tags: ["Agent"],
  body: ActivityInput,
  idempotency: "optional",
  success: { status: 201, description: "Stored (a resend with the same activityId and body returns the first).", schema: Activity },
  errors: ["unauthenticated", "forbidden", "invalid_request", "conflict"],
  handler: ({ body, caller }, services) => logActivity(services, caller, body),
});
