import { defineHttp } from "./http/defineHttp.js";
import { DirectoryRecord } from "../shared/schemas/directory.js";
import { RecordPath, recordTypeOf } from "../shared/schemas/directoryRoutes.js";
import { readRecord } from "../shared/directory/saveRecord.js";

export const getAgentRecord = defineHttp({
  name: "getAgentRecord",
  method: "GET",
  route: "v1/agent/directory/{collection}/{recordId}",
  auth: "agent",
  summary: "One contact or account of the agent's tenant.",
  tags: ["Agent"],
  params: RecordPath,
  success: { status: 200, description: "The record.", schema: DirectoryRecord },
  errors: ["unauthenticated", "forbidden", "not_found"],
  handler: ({ params, caller }, services) =>
    readRecord(services, caller.tenantId, recordTypeOf(params.collection), params.recordId),
});
