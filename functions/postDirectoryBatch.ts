import { defineHttp } from "./http/defineHttp.js";
import { DirectoryBatchInput, DirectoryBatchResponse } from "../shared/schemas/directoryBatch.js";
import { applyDirectoryBatch } from "../shared/directory/applyBatch.js";

export const postDirectoryBatch = defineHttp({
  name: "postDirectoryBatch",
  method: "POST",
  route: "v1/directory/batch",
  auth: "partner",
  summary: "Sync the directory: up to 100 upserts and deletes of contacts and accounts, checked together, applied in order.",
  tags: ["Directory"],
  body: DirectoryBatchInput,
  maxBodyBytes: 1024 * 1024,
  // A resent batch must get the first answer (a delete answers `deleted`, then `notFound`): the key says it is a resend.
  idempotency: "required",
  success: { status: 200, description: "Every operation applied; one result per operation, in order.", schema: DirectoryBatchResponse },
  errors: ["invalid_request", "conflict"],
  handler: ({ body, caller }, services) => applyDirectoryBatch(services, caller.tenantId, body.operations),
});
