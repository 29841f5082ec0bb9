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

/**
 * The CSV columns of an exported record, in order (RFC 4180; booleans true/false, absent values empty).
 * The `…Ms` columns are numbers; every other column is text.
 */
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

/** The columns whose cells are numbers: written as they are (a negative number stays a number). */
const numericFactsColumns: ReadonlySet<(typeof factsCsvColumns)[number]> = new Set(["waitMs", "talkMs", "holdMs", "wrapUpMs"]);

/**
 * A text cell that starts with one of these is a formula to a spreadsheet (OWASP "CSV injection"): it is
 * written with a single quote before it, so it shows as the text it is.
 */
const formulaStart = /^[=+\-@\t\r]/;

/** One cell: numbers as they are in a numeric column; text neutralized, then quoted when RFC 4180 needs it. */
function csvCell(value: unknown, numeric: boolean): string {
  if (value === undefined || value === null) return "";
  if (numeric && typeof value === "number") return String(value);
  const text = Array.isArray(value) ? value.join(" ") : typeof value === "object" ? JSON.stringify(value) : String(value);
  const safe = formulaStart.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function factsToCsv(records: readonly ConversationFactsRecord[]): string {
  const row = (record: ConversationFactsRecord) => factsCsvColumns.map((column) => csvCell(record[column], numericFactsColumns.has(column))).join(",");
  return `${[factsCsvColumns.join(","), ...records.map(row)].join("\r\n")}\r\n`;
}

export function factsToJsonLines(records: readonly ConversationFactsRecord[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join("");
}
