import { odata, type TableClient, type TableEntityResult } from "@azure/data-tables";
import { decodeOpaque, encodeOpaque } from "./cursor.js";
import { parseRow } from "./parseRow.js";

/**
 * An append-only feed kept in one partition per month (`<scope>|2026-11`) with RowKeys that begin with the
 * ISO time the row was written: the facts export (docs/kpis.md, "Export") and the tenant-wide activity feed
 * (docs/activities.md, "Feed") read theirs incrementally, from `since` or from where the previous read's
 * cursor stopped. Only rows written more than `settleMs` ago are returned, so a row written meanwhile by an
 * instance with a slightly slower clock cannot slip behind a cursor. The cursor is opaque: the month and
 * the last RowKey returned, tagged with the feed's own `cursorVersion` (one feed's cursor is refused by
 * another, 400 on `cursor`).
 */
export interface MonthlyFeed<T> {
  table: TableClient;
  /** The PartitionKey of one month ("2026-11") of this feed. */
  partition(month: string): string;
  /** The column that holds an item, as JSON, and how to read it (a row that does not parse is a 500). */
  column: string;
  parse(json: string): T;
  cursorVersion: number;
  settleMs: number;
  defaultSinceDays: number;
}

export interface FeedRead {
  since?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** The first month any feed can hold (nothing was written before WebCTI ran): an earlier `since` reads from here. */
export const feedEpochMonth = "2026-01";
/** How many month partitions one read visits at most, and storage queries it makes: the cursor then continues. */
export const maxMonthsPerRead = 12;
const maxQueriesPerRead = 24;

interface Position {
  /** The feed month ("2026-11") and the last RowKey returned in it ("" = none yet). */
  month: string;
  after: string;
}

export async function readMonthlyFeed<T>(feed: MonthlyFeed<T>, read: FeedRead, now: Date): Promise<{ items: T[]; cursor: string }> {
  const settled = new Date(now.getTime() - feed.settleMs).toISOString();
  const since = read.since ? new Date(read.since).toISOString() : new Date(now.getTime() - feed.defaultSinceDays * 86_400_000).toISOString();
  let position: Position = read.cursor
    ? decodePosition(read.cursor, feed.cursorVersion)
    : since.slice(0, 7) < feedEpochMonth
      ? { month: feedEpochMonth, after: "" }
      : { month: since.slice(0, 7), after: since };
  const items: T[] = [];

  let months = 1;
  for (let queries = 0; items.length < read.limit && position.month <= settled.slice(0, 7) && queries < maxQueriesPerRead; queries++) {
    const pages = feed.table
      .listEntities<Record<string, unknown>>({
        queryOptions: {
          filter: odata`PartitionKey eq ${feed.partition(position.month)} and RowKey gt ${position.after} and RowKey lt ${`${settled}|`}`,
          select: ["PartitionKey", "RowKey", feed.column],
        },
      })
      .byPage({ maxPageSize: Math.min(1000, read.limit - items.length) });
    const page = await pages.next();
    for (const row of page.done ? [] : (page.value as Array<TableEntityResult<Record<string, unknown>>>)) {
      items.push(parseRow(feed.table, row, () => feed.parse(row[feed.column] as string)));
      position = { month: position.month, after: row.rowKey! };
    }
    if (items.length >= read.limit) break;
    if (!page.done && page.value.continuationToken) continue; // more in this month
    // This month is read up to `settled`: stay there if it is the current month, else go on to the next.
    if (position.month === settled.slice(0, 7)) {
      if (position.after < settled) position = { month: position.month, after: settled };
      break;
    }
    position = { month: monthAfter(position.month), after: "" };
    if (++months > maxMonthsPerRead) break;
  }
  return { items, cursor: encodeOpaque({ v: feed.cursorVersion, m: position.month, a: position.after }) };
}

/** "2026-12" → "2027-01", as text (Date.UTC would read years 0–99 as 1900–1999). */
function monthAfter(month: string): string {
  const [year, m] = month.split("-").map(Number) as [number, number];
  return m === 12 ? `${String(year + 1).padStart(4, "0")}-01` : `${String(year).padStart(4, "0")}-${String(m + 1).padStart(2, "0")}`;
}

/** A cursor's month must be a real month from the feeds' first one: a forged one is a 400. */
function decodePosition(cursor: string, version: number): Position {
  return decodeOpaque(cursor, ({ v, m, a }) =>
    v === version && typeof m === "string" && /^\d{4}-(0[1-9]|1[0-2])$/.test(m) && m >= feedEpochMonth && typeof a === "string"
      ? { month: m, after: a }
      : undefined,
  );
}
