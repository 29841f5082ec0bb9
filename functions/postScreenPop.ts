import { defineHttp } from "./http/defineHttp.js";
import { ManualScreenPopInput, ScreenPop } from "../shared/schemas/screenPop.js";
import { createManualPop } from "../shared/screenPop/manualPop.js";

export const postScreenPop = defineHttp({
  name: "postScreenPop",
  method: "POST",
  route: "v1/screen-pops",
  auth: "partner",
  summary:
    "Open a record, a search or a new-record form in an agent's desktop now (a manual pop: the policy's `manual` trigger relies on it); delivered, caught up and expired like an event's pop.",
  tags: ["Screen pops"],
  body: ManualScreenPopInput,
  maxBodyBytes: 16 * 1024,
  idempotency: "required",
  success: { status: 201, description: "Stored and pushed; read its delivery status at `/api/v1/screen-pops/{id}`.", schema: ScreenPop },
  errors: ["unauthenticated", "invalid_request", "not_found", "payload_too_large", "unsupported_media_type"],
  handler: ({ body, caller }, services) => createManualPop(services, caller, body),
});
