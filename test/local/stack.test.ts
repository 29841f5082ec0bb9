import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startStack } from "../../local/stack.js";
import { seedDemo } from "../../local/seedDemo.js";
import { call } from "../support/stack.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("the local stack on disk", () => {
  it("keeps tables, the demo key and edited records across a restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "webcti-stack-"));
    dirs.push(dir);
    const first = await startStack({ dataDir: dir, port: 0 });
    let apiKey: string;
    try {
      ({ apiKey } = await seedDemo(first.services));
      const saved = await call(`${first.apiUrl}/v1/directory/contacts/c-alice`, {
        method: "PUT",
        key: apiKey,
        json: { name: "Alice Johnson-Park", phones: ["+1 206 555 0101"] },
      });
      expect(saved.status).toBe(200);
    } finally {
      await first.close(); // immediately after the write: nothing may depend on Azurite's 5 s autosave
    }

    const second = await startStack({ dataDir: dir, port: 0 });
    try {
      const again = await seedDemo(second.services, apiKey);
      expect(again.apiKey).toBe(apiKey);
      const found = await call(`${second.apiUrl}/v1/directory/lookup?phone=%2B12065550101`, { key: apiKey });
      expect(found.body.matches).toEqual([{ type: "contact", id: "c-alice", name: "Alice Johnson-Park" }]);
    } finally {
      await second.close();
    }
  });

  it("issues a new demo key when the saved one no longer authenticates", async () => {
    const stack = await startStack({ port: 0 });
    try {
      const { apiKey } = await seedDemo(stack.services, "wcti_0000000000000000_" + "A".repeat(43));
      expect(apiKey).toMatch(/^wcti_[0-9a-f]{16}_/);
      expect(apiKey).not.toContain("AAAAAAAA");
    } finally {
      await stack.close();
    }
  });
});
