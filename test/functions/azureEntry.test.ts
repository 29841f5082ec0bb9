import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { Cron } from "croner";
import { httpFunctions, timerFunctions } from "../../functions/index.js";
import { uniquePrefix } from "../support/stack.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const probe = fileURLToPath(new URL("../support/azureEntryProbe.mjs", import.meta.url));

/** Runs the built Azure entry under plain node (no test-runner transform), as the Functions host would. */
async function runEntry(invoke?: string) {
  const { stdout } = await promisify(execFile)(process.execPath, [probe, root, ...(invoke ? [invoke] : [])], {
    env: {
      ...process.env,
      WEBCTI_TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
      WEBCTI_WEBPUBSUB_CONNECTION_STRING: "Endpoint=http://127.0.0.1;Port=9;AccessKey=bm90LXVzZWQtaW4tdGhpcy10ZXN0;Version=1.0;",
      WEBCTI_TABLE_PREFIX: uniquePrefix(),
    },
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as {
    registrations: Array<{ name: string; methods: string[]; route: string; authLevel: string }>;
    timers: Array<{ name: string; schedule: string }>;
    response?: { status: number; contentType: string; body: { code: string } };
    timerRun?: { ok: boolean; error?: string; logs: string[] };
  };
}

describe("the Azure Functions entry under plain node", () => {
  it("registers every function of the table with app.http, anonymous at the platform level", async () => {
    const { registrations } = await runEntry();
    expect(registrations).toEqual([
      ...httpFunctions.map((d) => ({ name: d.name, methods: [d.method], route: `api/${d.route}`, authLevel: "anonymous" })),
      // the desktop and browser bundles, at the root (host.json routePrefix "")
      { name: "webFiles", methods: ["GET", "HEAD"], route: "{*path}", authLevel: "anonymous" },
    ]);
  });

  it("serves a request through a registered handler", async () => {
    const { response } = await runEntry("getAgentMe GET http://localhost/api/v1/agent/me");
    expect(response).toEqual({
      status: 401,
      contentType: "application/problem+json",
      body: expect.objectContaining({ code: "unauthenticated", status: 401 }),
    });
  });

  it("registers every timer of the table with app.timer, on a six-field NCRONTAB schedule", async () => {
    const { timers } = await runEntry();
    expect(timers).toEqual(timerFunctions.map((d) => ({ name: d.name, schedule: d.schedule })));
    for (const { schedule } of timers) {
      expect(schedule.split(" "), schedule).toHaveLength(6); // the Functions host wants seconds first
      expect(new Cron(schedule, { paused: true }).nextRun(), schedule).toBeInstanceOf(Date);
    }
  });

  it("runs a timer through its registered handler against the tables", async () => {
    const { timerRun } = await runEntry("timer runWebhookRetries");
    expect(timerRun).toEqual({ ok: true, logs: [] });
  });
});
