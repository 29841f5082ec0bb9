import { defineHttp } from "./http/defineHttp.js";
import { AnalyticsEventsAccepted, PartnerAnalyticsEventBatch } from "../shared/schemas/analytics.js";
import { storePartnerAnalyticsEvents } from "../shared/analytics/partnerEventStore.js";
import { problemOf } from "./http/problem.js";

const route = "v1/analytics/events";

export const postAnalyticsEvents = defineHttp({
  name: "postAnalyticsEvents",
  method: "POST",
  route,
  auth: "partner",
  summary: "Log your own analytics events for conversations (Microsoft CIF 2.0 logAnalyticsEvent shape); stored once per eventId.",
  tags: ["Analytics"],
  body: PartnerAnalyticsEventBatch,
  maxBodyBytes: 1024 * 1024,
  idempotency: "optional",
  success: { status: 200, description: "Each event stored (or already stored) or rejected, in the order sent.", schema: AnalyticsEventsAccepted },
  errors: ["invalid_request", "payload_too_large", "unsupported_media_type"],
  handler: async ({ body, caller }, services) => {
    const results = await storePartnerAnalyticsEvents(services, caller, body.events);
    return {
      results: results.map((result, index) => {
        const { eventId, conversationId } = body.events[index]!;
        return result.ok
          ? { status: "accepted" as const, eventId, conversationId }
          : { status: "rejected" as const, eventId, conversationId, problem: problemOf(result.error, `/api/${route}`) };
      }),
    };
  },
});
