import { defineHttp } from "./http/defineHttp.js";
import { Readiness, checkReadiness } from "../shared/storage/checkReadiness.js";

/** Readiness for load balancers and the availability test (infra/modules/monitoring.bicep); docs/operations.md. */
export const getHealth = defineHttp({
  name: "getHealth",
  method: "GET",
  route: "health",
  auth: "anonymous",
  summary: "Readiness: Table storage and Web PubSub reachable, and the KPI projection's lag. No authentication, no tenant data.",
  tags: ["Meta"],
  success: { status: 200, description: "The service can serve requests.", schema: Readiness },
  errors: ["storage_unavailable", "push_unavailable"],
  handler: (_input, services) => checkReadiness(services),
});
