import { defineHttp } from "./http/defineHttp.js";
import { DeletedRecord, RecordPath, recordTypeOf } from "../shared/schemas/directoryRoutes.js";
import { removeRecord } from "../shared/directory/saveRecord.js";

export const deleteDirectoryRecord = defineHttp({
  name: "deleteDirectoryRecord",
  method: "DELETE",
  route: "v1/directory/{collection}/{recordId}",
  auth: "partner",
  summary: "Delete a contact or account from the customer directory; its numbers and e-mail addresses stop matching.",
  tags: ["Directory"],
  params: RecordPath,
  success: { status: 200, description: "Deleted.", schema: DeletedRecord },
  errors: ["not_found", "conflict"],
  handler: ({ params, caller }, services) => removeRecord(services, caller.tenantId, recordTypeOf(params.collection), params.recordId),
});
