import { z } from "zod";
import { defineHttp } from "./http/defineHttp.js";
import { ScreenPop } from "../shared/schemas/screenPop.js";
import { getPop } from "../shared/screenPop/popStore.js";

export const getScreenPop = defineHttp({
  name: "getScreenPop",
  method: "GET",
  route: "v1/screen-pops/{popId}",
  auth: "partner",
  summary: "Read one of the provider's screen pops and its delivery status (queued, delivered, expired); another provider's pop is not found.",
  tags: ["Screen pops"],
  params: z.object({ popId: z.string().max(200) }),
  success: { status: 200, description: "The pop.", schema: ScreenPop },
  errors: ["not_found"],
  handler: ({ params, caller }, services) => getPop(services.tables, caller, params.popId, services.now()),
});
