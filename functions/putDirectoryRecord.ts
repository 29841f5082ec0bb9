import { defineHttp } from "./http/defineHttp.js";
import { DirectoryRecord, DirectoryRecordInput } from "../shared/schemas/directory.js";
import { RecordPath, recordTypeOf } from "../shared/schemas/directoryRoutes.js";
import { saveRecord } from "../shared/directory/saveRecord.js";

export const putDirectoryRecord = defineHttp({
  name: "putDirectoryRecord",
  method: "PUT",
  route: "v1/directory/{collection}/{recordId}",
  auth: "partner",
  summary: "Create or replace a contact or account in the customer directory; numbers are normalized to E.164.",
  tags: ["Directory"],
  params: RecordPath,
  body: DirectoryRecordInput,
  success: { status: 200, description: "The stored record.", schema: DirectoryRecord },
  errors: ["invalid_request"],
  handler: ({ params, body, caller }, services) =>
    saveRecord(services, caller.tenantId, recordTypeOf(params.collection), params.recordId, body),
});
