import { defineHttp } from "./http/defineHttp.js";
import { DirectoryRecord, DirectoryRecordInput } from "../shared/schemas/directory.js";
import { RecordPath, recordTypeOf } from "../shared/schemas/directoryRoutes.js";
import { saveRecord } from "../shared/directory/saveRecord.js";

export const putAgentRecord = defineHttp({
  name: "putAgentRecord",
  method: "PUT",
  route: "v1/agent/directory/{collection}/{recordId}",
  auth: "agent",
  summary: "Create or replace a contact or account from the agent desktop (the new-contact form).",
  tags: ["Agent"],
  params: RecordPath,
  body: DirectoryRecordInput,
  success: { status: 200, description: "The stored record.", schema: DirectoryRecord },
  errors: ["unauthenticated", "forbidden", "invalid_request"],
  handler: ({ params, body, caller }, services) =>
    saveRecord(services, caller.tenantId, recordTypeOf(params.collection), params.recordId, body),
});
