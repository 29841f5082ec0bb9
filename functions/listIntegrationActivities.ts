import { defineHttp } from "./http/defineHttp.js";
import { ActivityFeed, ActivityFeedQuery } from "../shared/schemas/activity.js";
import { readActivityFeed } from "../shared/activities/activityFeed.js";

export const listIntegrationActivities = defineHttp({
  name: "listIntegrationActivities",
  method: "GET",
  route: "v1/integration/activities",
  auth: "integration",
  summary: "Every activity stored in the tenant, incrementally (keep the cursor): the CRM's copy of every call log.",
  tags: ["Integration"],
  query: ActivityFeedQuery,
  success: { status: 200, description: "The activities stored since the cursor (or `since`), oldest first, and the cursor to continue.", schema: ActivityFeed },
  errors: ["unauthenticated", "invalid_request"],
  handler: ({ query, caller }, services) => readActivityFeed(services, caller.tenantId, query),
});
