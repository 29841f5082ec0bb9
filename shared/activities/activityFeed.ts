import type { Services } from "../services.js";
import { Activity, type ActivityFeed, type ActivityFeedQuery } from "../schemas/activity.js";
import { readMonthlyFeed, type MonthlyFeed } from "../storage/readMonthlyFeed.js";
import { key } from "../storage/tables.js";

/**
 * The tenant-wide activity feed (docs/activities.md, "Feed"): a CRM keeps every call log in its own
 * database by reading it incrementally, like the facts export (shared/analytics/factsExport.ts).
 *
 * activityFeed: PartitionKey tenantId|<month the row was written, "2026-11">, RowKey <written at ISO>|<activityId>.
 * A row is written each time an activity is first stored, and again each time it changes (updateActivity.ts),
 * before its timeline row, so a crash between the two writes it again on the resend or the update's retry:
 * at least once. Read as every monthly feed is (readMonthlyFeed.ts).
 */
export const feedSettleMs = 5_000;
const defaultSinceDays = 35;

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
  const feed: MonthlyFeed<Activity> = {
    table: services.tables.activityFeed,
    partition: (month) => key(tenantId, month),
    column: "activity",
    parse: (json) => Activity.parse(JSON.parse(json)),
    cursorVersion: 1,
    settleMs: feedSettleMs,
    defaultSinceDays,
  };
  const { items, cursor } = await readMonthlyFeed(feed, query, services.now());
  return { activities: items, cursor };
}
