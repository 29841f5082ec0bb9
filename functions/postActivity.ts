import { defineHttp } from "./http/defineHttp.js";
import { WebCtiError } from "../shared/errors.js";
import { Activity, PartnerActivityInput } from "../shared/schemas/activity.js";
import { logPartnerActivity } from "../shared/activities/activityStore.js";

export const postActivity = defineHttp({
  name: "postActivity",
  method: "POST",
  route: "v1/activities",
  auth: "partner",
  summary: "Log a call, chat, SMS or e-mail on a record's timeline, from the partner's server (with an activityId, or an Idempotency-Key).",
  tags: ["Activities"],
  body: PartnerActivityInput,
  success: {
    status: 201,
    description:
      "Stored. A resend with the same activityId and body gets the same answer (201, the first stored activity) and stores nothing.",
    schema: Activity,
  },
  errors: ["invalid_request", "not_found", "conflict"],
  // The partner's own `activityId` is the natural idempotency key; without one, a resend could only be
  // recognized by an `Idempotency-Key`, so one of the two is required.
  idempotency: "optional",
  handler: ({ body, caller, headers }, services) => {
    if (!body.activityId && !headers.get("idempotency-key")) {
      throw new WebCtiError("invalid_request", "Send the activity with your `activityId`, or with an `Idempotency-Key` header.", {
        errors: [
          { header: "Idempotency-Key", detail: "required when the body has no activityId" },
          { pointer: "#/activityId", detail: "required when there is no Idempotency-Key header" },
        ],
      });
    }
    return logPartnerActivity(services, caller, body);
  },
});
