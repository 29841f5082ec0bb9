import { z } from "zod";
import { Direction } from "./conversationEvent.js";

/** The longest a pop may stay pending (`ttlSeconds`' maximum): older pops are expired whatever their policy. */
export const maxPopTtlSeconds = 86_400;

/** When and how a provider's conversations pop records in the agent's browser. */
export const ScreenPopPolicy = z
  .object({
    trigger: z.enum(["ringing", "answered", "manual"]).default("ringing"),
    directions: z.array(Direction).default(["inbound"]),
    onOneMatch: z.enum(["record", "search", "none"]).default("record"),
    onManyMatches: z.enum(["search", "none"]).default("search"),
    onNoMatch: z.enum(["newRecord", "search", "none"]).default("newRecord"),
    ttlSeconds: z.number().int().min(10).max(maxPopTtlSeconds).default(300)
      .describe("An undelivered pop expires after this long."),
  })
  .meta({ id: "ScreenPopPolicy" });
export type ScreenPopPolicy = z.infer<typeof ScreenPopPolicy>;
