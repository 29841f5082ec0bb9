import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startStack, type Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";
import { call, uniquePrefix } from "../support/stack.js";

/**
 * A stored row that no longer parses is the service's fault, not the caller's (issue 13, defect 1):
 * the caller gets 500 `internal` (it was 400 pointing at the row's field), and the log names the table
 * and the keys, never the row's content.
 */
let stack: Stack;
let apiKey: string;
let goodKey: string;
const logged: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    port: 0,
    tablePrefix: uniquePrefix(),
    tablesConnectionString: inject("tablesConnectionString"),
    timers: false,
    log: (line) => logged.push(line),
  });
  // Written straight into storage, as an older version or a hand edit could have left it.
  await stack.services.tables.tenants.createEntity({ partitionKey: "oldrow", rowKey: "", tenantId: "oldrow", name: "Old", defaultCountry: "Narnia" });
  await putProvider(stack.services, { tenantId: "oldrow", providerId: "p", label: "P" });
  apiKey = (await issuePartnerKey(stack.services.tables, "oldrow", "p", new Date())).apiKey;
  await putTenant(stack.services, { tenantId: "rows", name: "Rows" });
  await putProvider(stack.services, { tenantId: "rows", providerId: "p", label: "P" });
  goodKey = (await issuePartnerKey(stack.services.tables, "rows", "p", new Date())).apiKey;
});
afterAll(() => stack?.close());

describe("a stored row that no longer parses", () => {
  it("answers the partner's look-up 500 internal, and logs the table and keys without the value", async () => {
    const res = await call(`${stack.apiUrl}/v1/directory/lookup?phone=%2B12065550101`, { key: apiKey });
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 500, code: "internal" });
    expect(res.body.detail).toBe("An unexpected error occurred.");
    expect(res.body.errors).toBeUndefined();

    const line = logged.find((l) => l.includes("does not parse"));
    expect(line, logged.join("\n")).toBeDefined();
    expect(line).toContain(`'${stack.services.tables.tenants.tableName}'`);
    expect(line).toContain("PartitionKey 'oldrow', RowKey ''");
    expect(line).toContain("defaultCountry");
    expect(logged.join("\n")).not.toContain("Narnia");
  });

  it("a row of a list query (a record's timeline) names its keys too", async () => {
    const put = await call(`${stack.apiUrl}/v1/directory/contacts/c-1`, { method: "PUT", key: goodKey, json: { name: "C One" } });
    expect(put.status).toBe(200);
    await stack.services.tables.activities.createEntity({
      partitionKey: "rows|contact|c-1",
      rowKey: "000000000000001|a-1",
      activity: JSON.stringify({ subject: "Secret subject" }),
    });
    const res = await call(`${stack.apiUrl}/v1/directory/contacts/c-1/activities`, { key: goodKey });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: "internal", detail: "An unexpected error occurred." });
    const line = logged.find((l) => l.includes("RowKey '000000000000001|a-1'"));
    expect(line, logged.join("\n")).toContain("PartitionKey 'rows|contact|c-1'");
    expect(logged.join("\n")).not.toContain("Secret subject");
  });
});
