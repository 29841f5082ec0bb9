import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { TableClient } from "@azure/data-tables";
import { startAzuriteTables } from "../../local/azurite.js";
import { waitForOutput } from "../../local/childProcess.js";
import { projectRoot } from "../../shared/projectRoot.js";
import { waitFor } from "./webpubsub/support.js";

/**
 * `kill -9` of the process that started Azurite (as of `npm start`): Azurite must not be orphaned (its
 * port and data folder taken) and must not lose what it acknowledged. The starter is the built module
 * under plain node, as `npm start` runs it.
 */
const folders: string[] = [];
const strays: number[] = [];

afterAll(async () => {
  for (const pid of strays) if (alive(pid)) process.kill(pid, "SIGKILL");
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A node process that starts Azurite on `location`, stores one entity, says so, and waits to be killed. */
function starter(location: string) {
  const azurite = pathToFileURL(join(projectRoot(), "dist", "local", "azurite.js")).href;
  const script = `
    import { TableClient } from "@azure/data-tables";
    const { startAzuriteTables } = await import(${JSON.stringify(azurite)});
    const tables = await startAzuriteTables({ location: ${JSON.stringify(location)} });
    const client = TableClient.fromConnectionString(tables.connectionString, "crash", { allowInsecureConnection: true });
    await client.createTable();
    await client.createEntity({ partitionKey: "p", rowKey: "acknowledged", value: "kept" });
    console.log(JSON.stringify({ ready: true, pid: tables.process.pid }));
    setInterval(() => {}, 1000);
  `;
  return spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: projectRoot(), stdio: ["ignore", "pipe", "pipe"] });
}

describe("Azurite started by the local stack", () => {
  it("stops and keeps what it acknowledged when its starter is killed with SIGKILL", async () => {
    const location = await mkdtemp(join(tmpdir(), "webcti-azurite-"));
    folders.push(location);
    const child = starter(location);
    const { value } = await waitForOutput(child, "the starter", (text) => {
      const line = text.split("\n").find((l) => l.startsWith('{"ready"'));
      return line ? (JSON.parse(line) as { pid: number }) : undefined;
    }, 30_000);
    strays.push(value.pid);
    child.kill("SIGKILL");

    await waitFor(() => !alive(value.pid), 15_000, "Azurite to stop after its starter was killed");
    const again = await startAzuriteTables({ location });
    try {
      const client = TableClient.fromConnectionString(again.connectionString, "crash", { allowInsecureConnection: true });
      await expect(client.getEntity("p", "acknowledged")).resolves.toMatchObject({ value: "kept" });
    } finally {
      await again.close();
    }
  });
});
