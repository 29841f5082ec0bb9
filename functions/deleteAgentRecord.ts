import { defineHttp } from "./http/defineHttp.js";
import { DeletedRecord, RecordPath, recordTypeOf } from "../shared/schemas/directoryRoutes.js";
import { removeRecord } from "../shared/directory/saveRecord.js";

export const deleteAgentRecord = defineHttp({
  name: "deleteAgentRecord",
  method: "DELETE",
  route: "v1/agent/directory/{collection}/{recordId}",
  auth: "agent",
  summary: "Delete a contact or account from the agent desktop (or a widget through it); its numbers stop matching.",
  tags: ["Agent"],
  params: RecordPath,
  success: {
    status: 200,
    description: "Deleted.",
    schema: DeletedRecord,
  },
  errors: ["unauthenticated", "forbidden", "not_found"],
  handler: ({ params, caller }, services) => removeRecord(services, caller.tenantId, recordTypeOf(params.collection), params.recordId),
});
