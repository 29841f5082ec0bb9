import { z } from "zod";
import { defineHttp } from "./http/defineHttp.js";
import { DirectoryRecord } from "../shared/schemas/directory.js";
import { CollectionPath, recordTypeOf } from "../shared/schemas/directoryRoutes.js";
import { listRecords } from "../shared/directory/directoryStore.js";

export const listAgentRecords = defineHttp({
  name: "listAgentRecords",
  method: "GET",
  route: "v1/agent/directory/{collection}",
  auth: "agent",
  summary: "Contacts or accounts of the agent's tenant (the reference desktop's list pages).",
  tags: ["Agent"],
  params: CollectionPath,
  success: {
    status: 200,
    description: "Up to 500 records by id.",
    schema: z.object({ records: z.array(DirectoryRecord) }).meta({ id: "DirectoryRecordList" }),
  },
  errors: ["unauthenticated", "forbidden"],
  handler: async ({ params, caller }, services) => ({
    records: await listRecords(services.tables, caller.tenantId, recordTypeOf(params.collection)),
  }),
});
