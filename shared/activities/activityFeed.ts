import { odata } from "@azure/data-tables";
import type { Services } from "../services.js";
import { Activity, type ActivityFeed, type ActivityFeedQuery } from "../schemas/activity.js";
import { decodeOpaque, encodeOpaque } from "../storage/cursor.js";
import { parseRow } from "../storage/parseRow.js";
import { key } from "../storage/tables.js";
import { nextMonth } from "../analytics/intervals.js";

/**
 * The tenant-wide activity feed (docs/activities.md, "Feed"): a CRM keeps every call log in its own
 * database by reading it incrementally, like the facts export (shared/analytics/factsExport.ts).
 *
 * activityFeed: PartitionKey tenantId|<month the row was written, "2026-11">, RowKey <written at ISO>|<activityId>.
 * A row is written each time an activity is first stored (before its timeline row, so a crash between
 * the two writes it again on the resend: at least once). Rows are read in RowKey order up to a few
 * seconds ago, so a row written meanwhile with a slightly older clock cannot slip behind a cursor.
 */
export const feedSettleMs = 5_000;
const defaultSinceDays = 35;

interface Position {
  /** The feed month ("2026-11") and the last RowKey returned in it ("" = none yet). */
  month: string;
  after: string;
}

export async function appendToFeed(services: Pick<Services, "tables" | "now">, tenantId: string, activity: Activity): Promise<void> {
  const writtenAt = services.now().toISOString();
  await services.tables.activityFeed.upsertEntity(
    { partitionKey: key(tenantId, writtenAt.slice(0, 7)), rowKey: key(writtenAt, activity.activityId), activity: JSON.stringify(activity) },
    "Replace",
  );
}

export async function readActivityFeed(
  services: Pick<Services, "tables" | "now">,
  tenantId: string,
  query: ActivityFeedQuery,
): Promise<ActivityFeed> {
  const now = services.now().getTime();
  const settled = new Date(now - feedSettleMs).toISOString();
  const since = query.since ? new Date(query.since).toISOString() : new Date(now - defaultSinceDays * 86_400_000).toISOString();
  let position: Position = query.cursor ? decodePosition(query.cursor) : { month: since.slice(0, 7), after: since };
  const activities: Activity[] = [];

  while (activities.length < query.limit && position.month <= settled.slice(0, 7)) {
    const pages = services.tables.activityFeed
      .listEntities<{ activity?: string }>({
        queryOptions: {
          filter: odata`PartitionKey eq ${key(tenantId, position.month)} and RowKey gt ${position.after} and RowKey lt ${`${settled}|`}`,
          select: ["PartitionKey", "RowKey", "activity"],
        },
      })
      .byPage({ maxPageSize: Math.min(1000, query.limit - activities.length) });
    const page = await pages.next();
    for (const row of page.done ? [] : page.value) {
      activities.push(parseRow(services.tables.activityFeed, row, () => Activity.parse(JSON.parse(row.activity!))));
      position = { month: position.month, after: row.rowKey! };
    }
    if (activities.length >= query.limit) break;
    if (!page.done && page.value.continuationToken) continue; // more in this month
    // This month is read up to `settled`: stay there if it is the current month, else go on to the next.
    if (position.month === settled.slice(0, 7)) {
      if (position.after < settled) position = { month: position.month, after: settled };
      break;
    }
    position = { month: nextMonth(`${position.month}-01`).slice(0, 7), after: "" };
  }
  return { activities, cursor: encodeOpaque({ v: 1, m: position.month, a: position.after }) };
}

function decodePosition(cursor: string): Position {
  return decodeOpaque(cursor, ({ v, m, a }) =>
    v === 1 && typeof m === "string" && /^\d{4}-\d{2}$/.test(m) && typeof a === "string" ? { month: m, after: a } : undefined,
  );
}
