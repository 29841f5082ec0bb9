import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import { demo, type DemoSeed } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { drainKpiProjection } from "../../shared/analytics/runProjection.js";
import { factsCsvColumns, factsToCsv } from "../../shared/analytics/factsExport.js";
import type { ConversationFactsRecord } from "../../shared/schemas/analytics.js";

/**
 * Issue 16, item 9: the facts export's CSV neutralizes text cells a spreadsheet would run as a formula
 * (a leading = + - @ tab or CR gets a single quote before it, OWASP "CSV injection") and quotes per RFC 4180;
 * numeric columns stay numbers.
 */
let stack: Stack;
let seed: DemoSeed;

/** RFC 4180: fields separated by commas, records by CRLF, quoted fields with "" for a quote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), i++;
    else field += c;
  }
  expect(field, "the text ends with CRLF").toBe("");
  return rows;
}

const queues = {
  formula: '=HYPERLINK("https://evil.example","x")',
  plus: "+1 Sales",
  minus: "-2+3",
  at: "@SUM(1+1)",
  plain: 'Sales, "EMEA"',
};

beforeAll(async () => {
  ({ stack, seed } = await startTestStack({ timers: false }));
  for (const [name, queue] of Object.entries(queues)) {
    const conversationId = `csv-${name}`;
    const base = { conversationId, occurredAt: "2026-11-24T10:00:00Z", customer: { phone: demo.numbers.oneContact } };
    for (const event of [
      { ...base, type: "queued", eventId: `${conversationId}-q`, queue },
      { ...base, type: "ended", eventId: `${conversationId}-e`, occurredAt: "2026-11-24T10:00:42Z", endedBy: "customer" },
    ]) {
      const res = await call(`${stack.apiUrl}/v1/conversations/events`, { key: seed.apiKey, json: event });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
    }
  }
  await drainKpiProjection(stack.services);
});
afterAll(() => stack?.close());

describe("the facts export's CSV", () => {
  it("puts a quote before text cells that start a formula, quotes per RFC 4180, and leaves numbers as numbers", async () => {
    let rows: string[][] = [];
    // Records are exported once they are 5 seconds old.
    await expect
      .poll(
        async () => {
          const res = await call<string>(`${stack.apiUrl}/v1/analytics/conversations?since=2026-01-01T00:00:00Z&format=csv`, { key: seed.apiKey });
          expect(res.status).toBe(200);
          rows = parseCsv(res.body);
          return rows.length - 1;
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(Object.keys(queues).length);
    expect(rows[0]).toEqual([...factsCsvColumns]);
    const cell = (conversationId: string, column: string) => rows.find((r) => r[0] === conversationId)![factsCsvColumns.indexOf(column as never)];
    expect(cell("csv-formula", "queue")).toBe(`'${queues.formula}`);
    expect(cell("csv-plus", "queue")).toBe(`'${queues.plus}`);
    expect(cell("csv-minus", "queue")).toBe(`'${queues.minus}`);
    expect(cell("csv-at", "queue")).toBe(`'${queues.at}`);
    expect(cell("csv-plain", "queue")).toBe(queues.plain);
    expect(cell("csv-plain", "waitMs")).toBe("42000");
    expect(cell("csv-plain", "offered")).toBe("true");
  });

  it("neutralizes a leading tab or carriage return (rows stored before the printable-text rule) and keeps a negative number a number", () => {
    const record = {
      conversationId: "c1",
      providerId: "p",
      channel: "voice",
      direction: "inbound",
      queue: "\tcmd",
      agentId: undefined,
      intervalAt: "2026-11-24T10:00:00.000Z",
      outcome: "completed",
      offered: true,
      answered: true,
      shortAbandon: false,
      flowOut: false,
      unansweredOther: false,
      waitMs: -5,
      withinServiceLevel: true,
      transferred: false,
      missedByAgentIds: [],
      talkMs: 0,
      holdMs: 0,
      wrapUpMs: 0,
      outboundConnected: false,
      partnerEvents: { "=x": 1 },
      projectedAt: "2026-11-24T10:01:00.000Z",
    } as ConversationFactsRecord;
    const [, tab] = parseCsv(factsToCsv([record]));
    expect(tab![factsCsvColumns.indexOf("queue")]).toBe("'\tcmd");
    expect(tab![factsCsvColumns.indexOf("waitMs")]).toBe("-5");
    expect(tab![factsCsvColumns.indexOf("partnerEvents")]).toBe('{"=x":1}');
    const [, cr] = parseCsv(factsToCsv([{ ...record, queue: "\r=1+1" }]));
    expect(cr![factsCsvColumns.indexOf("queue")]).toBe("'\r=1+1");
  });
});
