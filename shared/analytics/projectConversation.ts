import { createHash } from "node:crypto";
import { odata, type TransactionAction } from "@azure/data-tables";
import type { Tables } from "../storage/tables.js";
import { ConversationEvent } from "../schemas/conversationEvent.js";
import type { ConversationFacts, ConversationFactsRecord, KpiSettings } from "../schemas/analytics.js";
import { foldConversation } from "../conversation/conversationState.js";
import { conversationPartition } from "../conversation/ingestEvent.js";
import { dimensionsOf, factsOf } from "./conversationFacts.js";
import { factsPartition, factsRow, feedPartition, pointerRowKey, quarterRowPrefix, submitChunks, type FactsRowValue } from "./kpiStore.js";
import { inParallel } from "../inParallel.js";
import { deleteIfExists } from "../storage/deleteIfExists.js";
import { key } from "../storage/tables.js";
import { startOf } from "./intervals.js";
import { partnerEventNamer } from "./capPartnerEvents.js";
import { parseRow } from "../storage/parseRow.js";

type Row = { rowKey?: string; body?: string; eventName?: string; eventTimestamp?: string; quarters?: string; digest?: string };

/**
 * Projects one conversation (docs/kpis.md, "How figures are kept"): folds its stored events, derives its
 * facts with the tenant's settings, and writes one kpiFacts row per quarter-hour it counts in (the one of
 * its endedAt, and those of its partner events), replacing what it wrote before; a quarter it no longer
 * counts in loses its row; changed facts are appended to the export feed. Returns the quarter-hours whose
 * facts changed (old and new), for their aggregates to be recomputed.
 *
 * Idempotent: it writes nothing when the result equals what the pointer row says was written (a digest),
 * so replays and duplicates cost one partition read. Partner events of a conversation that has no event
 * yet wait (stored, uncounted) until its first event says its channel.
 */
export async function projectConversation(
  tables: Pick<Tables, "conversations" | "kpiFacts" | "kpiFeed">,
  settings: KpiSettings,
  tenantId: string,
  providerId: string,
  conversationId: string,
  now: Date,
  /** Write even if the pointer says these rows were written (a rebuild: they may have been lost). */
  force = false,
): Promise<{ quarters: string[] }> {
  const partitionKey = conversationPartition(tenantId, providerId, conversationId);
  const { events, partnerEvents, pointer, written } = await readConversation(tables, partitionKey);

  const values = new Map<string, FactsRowValue>();
  // At most 50 names per conversation, the rest under "(other)": each is a key of a JSON column (32 K characters).
  const countedAs = partnerEventNamer(partnerEvents.map((event) => event.name));
  let facts: ConversationFacts | null = null;
  if (events.length > 0) {
    const conversation = foldConversation(conversationId, events);
    facts = factsOf(conversation, settings, providerId);
    const { queue, agentId } = facts ?? dimensionsOf(conversation);
    const at = (quarter: string): FactsRowValue => {
      let value = values.get(quarter);
      if (!value) {
        value = { channel: conversation.channel, ...(queue !== undefined && { queue }), ...(agentId !== undefined && { agentId }), partnerEvents: {} };
        values.set(quarter, value);
      }
      return value;
    };
    if (facts) at(startOf(facts.intervalAt, "15m")).facts = facts;
    for (const event of partnerEvents) {
      const counts = at(startOf(event.at, "15m")).partnerEvents;
      const name = countedAs(event.name);
      counts[name] = (counts[name] ?? 0) + 1;
    }
  }

  const quarters = [...values.keys()].sort();
  const content = quarters.map((quarter) => [quarter, values.get(quarter)]);
  const digest = createHash("sha256").update(JSON.stringify(content)).digest("base64");
  if (!force && pointer && pointer.digest === digest) return { quarters: [] };

  // Each quarter-hour's row beside the events first: a crash after it leaves a quarter-hour remembered that
  // has no facts row yet (deleted or written next time), never a facts row nobody remembers.
  const quarterRow = (quarter: string) => ({ partitionKey, rowKey: `${quarterRowPrefix}${quarter}` });
  const added = quarters.filter((quarter) => written.get(quarter) !== true);
  await submitChunks(tables.conversations, added.map((quarter): TransactionAction => ["upsert", quarterRow(quarter), "Replace"]));
  await inParallel(quarters, 16, (quarter) =>
    tables.kpiFacts.upsertEntity(factsRow(tenantId, providerId, quarter, conversationId, values.get(quarter)!), "Replace").then(() => undefined),
  );
  const gone = [...written.keys()].filter((quarter) => !values.has(quarter));
  await inParallel(gone, 16, (quarter) => deleteIfExists(tables.kpiFacts, factsPartition(tenantId, providerId, quarter), conversationId));
  const forgotten = gone.filter((quarter) => written.get(quarter) === true);
  await submitChunks(tables.conversations, forgotten.map((quarter): TransactionAction => ["delete", quarterRow(quarter)]));

  if (facts) {
    const projectedAt = now.toISOString();
    const totals: Record<string, number> = {};
    for (const { name } of partnerEvents) totals[countedAs(name)] = (totals[countedAs(name)] ?? 0) + 1;
    const record: ConversationFactsRecord = { ...facts, partnerEvents: totals, projectedAt };
    await tables.kpiFeed.upsertEntity(
      { partitionKey: feedPartition(tenantId, providerId, projectedAt), rowKey: key(projectedAt, conversationId), record: JSON.stringify(record) },
      "Replace",
    );
  }
  // Last: a crash before this line leaves the old digest, so the next pass writes again (same rows).
  await tables.conversations.upsertEntity({ partitionKey, rowKey: pointerRowKey, digest }, "Replace");
  return { quarters: [...new Set([...quarters, ...gone])] };
}

/**
 * One read of the conversation's partition: its events, its partner events, the pointer's digest, and the
 * quarter-hours written before, by their rows (`kpi|<quarter>`: true) or an older version's list on the
 * pointer (false: no row of its own yet).
 */
async function readConversation(tables: Pick<Tables, "conversations">, partitionKey: string) {
  const events: ConversationEvent[] = [];
  const partnerEvents: Array<{ name: string; at: string }> = [];
  let pointer: { digest: string } | undefined;
  const written = new Map<string, boolean>();
  const rows = tables.conversations.listEntities<Row>({
    queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ["PartitionKey", "RowKey", "body", "eventName", "eventTimestamp", "quarters", "digest"] },
  });
  for await (const row of rows) {
    const rowKey = row.rowKey ?? "";
    if (rowKey.startsWith("event|") && row.body) events.push(parseRow(tables.conversations, row, () => ConversationEvent.parse(JSON.parse(row.body!))));
    else if (rowKey.startsWith("analytics|") && row.eventName && row.eventTimestamp) partnerEvents.push({ name: row.eventName, at: row.eventTimestamp });
    else if (rowKey.startsWith(quarterRowPrefix)) written.set(rowKey.slice(quarterRowPrefix.length), true);
    else if (rowKey === pointerRowKey) {
      pointer = { digest: row.digest ?? "" };
      const listed = parseRow(tables.conversations, row, () => JSON.parse(row.quarters ?? "[]") as string[]);
      for (const quarter of listed) if (!written.has(quarter)) written.set(quarter, false);
    }
  }
  return { events, partnerEvents, pointer, written };
}
