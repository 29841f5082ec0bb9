import { z } from "zod";
import { displayText } from "./displayText.js";
import { RecordId } from "./ids.js";

/** Who the customer is, as the partner knows them. Any one identifier is enough to look them up. */
export const CustomerRef = z
  .object({
    phone: displayText({ min: 3, max: 64 }).optional().describe("The customer's number as the partner has it; any format."),
    email: z.email().max(254).optional(),
    customerId: RecordId.optional().describe("A directory record id, when the partner already knows it."),
    name: displayText({ max: 200 }).optional(),
  })
  .meta({ id: "CustomerRef" });
export type CustomerRef = z.infer<typeof CustomerRef>;
