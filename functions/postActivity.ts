import { defineHttp } from "./http/defineHttp.js";
import { Activity, PartnerActivityInput } from "../shared/schemas/activity.js";
import { logPartnerActivity } from "../shared/activities/activityStore.js";

export const postActivity = defineHttp({
  name: "postActivity",
  method: "POST",
  route: "v1/activities",
  auth: "partner",
  summary: "Log a call, chat, SMS or e-mail on a record's timeline, from the partner's server.",
  tags: ["Activities"],
  body: PartnerActivityInput,
  success: {
    status: 201,
    description:
      "Stored. A resend with the same activityId and body gets the same answer (201, the first stored activity) and stores nothing.",
    schema: Activity,
  },
  errors: ["invalid_request", "not_found", "conflict"],
  handler: ({ body, caller }, services) => logPartnerActivity(services, caller, body),
});
