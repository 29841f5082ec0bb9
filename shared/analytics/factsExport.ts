import { odata } from "@azure/data-tables";
import { decodeOpaque, encodeOpaque } from "../storage/cursor.js";
import type { Services } from "../services.js";
import type { ConversationFactsRecord, FactsExport, FactsExportQuery } from "../schemas/analytics.js";
import { feedPartition } from "./kpiStore.js";
import { nextMonth } from "./intervals.js";
import { parseRow } from "../storage/parseRow.js";

/**
 * The incremental export of per-conversation facts (docs/kpis.md, "Export"): the records in the order they
 * were computed, from `since` or from where the previous export's cursor stopped. A conversation whose facts
 * change (a late event, new settings) comes again later with a newer `projectedAt`: the consumer keeps the
 * last record per conversation. Only records older than a few seconds are returned, so a record computed
 * meanwhile with a slightly older clock cannot slip behind a cursor.
 */
export const exportSettleMs = 5_000;
const defaultSinceDays = 35;

interface Position {
  /** The feed month ("2026-11") and the last RowKey returned in it ("" = none yet). */
  month: string;
  after: string;
}

export async function exportFacts(
  services: Pick<Services, "tables" | "now">,
  tenantId: string,
  providerId: string,
  query: FactsExportQuery,
): Promise<FactsExport> {
  const now = services.now().getTime();
  const settled = new Date(now - exportSettleMs).toISOString();
  const since = query.since ? new Date(query.since).toISOString() : new Date(now - defaultSinceDays * 86_400_000).toISOString();
  let position: Position = query.cursor ? decodePosition(query.cursor) : { month: since.slice(0, 7), after: since };
  const records: ConversationFactsRecord[] = [];

  while (records.length < query.limit && position.month <= settled.slice(0, 7)) {
    const partitionKey = feedPartition(tenantId, providerId, `${position.month}-01T00:00:00.000Z`);
    const pages = services.tables.kpiFeed
      .listEntities<{ record?: string }>({
        queryOptions: {
          filter: odata`PartitionKey eq ${partitionKey} and RowKey gt ${position.after} and RowKey lt ${`${settled}|`}`,
          select: ["PartitionKey", "RowKey", "record"],
        },
      })
      .byPage({ maxPageSize: Math.min(1000, query.limit - records.length) });
    const page = await pages.next();
    const rows = page.done ? [] : page.value;
    for (const row of rows) {
      records.push(parseRow(services.tables.kpiFeed, row, () => JSON.parse(row.record!) as ConversationFactsRecord));
      position = { month: position.month, after: row.rowKey! };
    }
    if (records.length >= query.limit) break;
    if (!page.done && page.value.continuationToken) continue; // more in this month
    // This month is read up to `settled`: stay there if it is the current month, else go on to the next.
    if (position.month === settled.slice(0, 7)) {
      if (position.after < settled) position = { month: position.month, after: settled };
      break;
    }
    position = { month: nextMonth(`${position.month}-01`).slice(0, 7), after: "" };
  }
  return { records, nextCursor: encodePosition(position) };
}

function encodePosition(position: Position): string {
  return encodeOpaque({ v: 2, m: position.month, a: position.after });
}

function decodePosition(cursor: string): Position {
  return decodeOpaque(cursor, ({ v, m, a }) =>
    v === 2 && typeof m === "string" && /^\d{4}-\d{2}$/.test(m) && typeof a === "string" ? { month: m, after: a } : undefined,
  );
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
