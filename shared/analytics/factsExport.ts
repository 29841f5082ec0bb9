import type { Services } from "../services.js";
import type { ConversationFactsRecord, FactsExport, FactsExportQuery } from "../schemas/analytics.js";
import { feedPartition } from "./kpiStore.js";
import { readMonthlyFeed, type MonthlyFeed } from "../storage/readMonthlyFeed.js";

/**
 * The incremental export of per-conversation facts (docs/kpis.md, "Export"): the records in the order they
 * were computed, from `since` or from where the previous export's cursor stopped. A conversation whose facts
 * change (a late event, new settings) comes again later with a newer `projectedAt`: the consumer keeps the
 * last record per conversation. Read as every monthly feed is (shared/storage/readMonthlyFeed.ts).
 */
export const exportSettleMs = 5_000;
const defaultSinceDays = 35;

export async function exportFacts(
  services: Pick<Services, "tables" | "now">,
  tenantId: string,
  providerId: string,
  query: FactsExportQuery,
): Promise<FactsExport> {
  const feed: MonthlyFeed<ConversationFactsRecord> = {
    table: services.tables.kpiFeed,
    partition: (month) => feedPartition(tenantId, providerId, `${month}-01T00:00:00.000Z`),
    column: "record",
    parse: (json) => JSON.parse(json) as ConversationFactsRecord,
    cursorVersion: 2,
    settleMs: exportSettleMs,
    defaultSinceDays,
  };
  const { items, cursor } = await readMonthlyFeed(feed, query, services.now());
  return { records: items, nextCursor: cursor };
}

/** The CSV columns of an exported record, in order (RFC 4180; booleans true/false, absent values empty). */
export const factsCsvColumns = [
  "conversationId",
  "providerId",
  "channel",
  "direction",
  "queue",
  "agentId",
  "intervalAt",
  "outcome",
  "offered",
  "answered",
  "abandonedIn",
  "shortAbandon",
  "flowOut",
  "unansweredOther",
  "waitMs",
  "withinServiceLevel",
  "transferred",
  "missedByAgentIds",
  "talkMs",
  "holdMs",
  "wrapUpMs",
  "outboundConnected",
  "partnerEvents",
  "projectedAt",
] as const satisfies ReadonlyArray<keyof ConversationFactsRecord>;

export function factsToCsv(records: readonly ConversationFactsRecord[]): string {
  const cell = (value: unknown): string => {
    const text =
      value === undefined || value === null
        ? ""
        : Array.isArray(value)
          ? value.join(" ")
          : typeof value === "object"
            ? JSON.stringify(value)
            : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [factsCsvColumns.join(","), ...records.map((record) => factsCsvColumns.map((column) => cell(record[column])).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}

export function factsToJsonLines(records: readonly ConversationFactsRecord[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join("");
}
