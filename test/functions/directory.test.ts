import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestStack } from "../support/stack.js";
import { signInCookie } from "../support/agentSession.js";
import { demo, type DemoSeed } from "../../local/seedDemo.js";
import type { Stack } from "../../local/stack.js";
import { issuePartnerKey } from "../../shared/auth/partnerKeys.js";
import { putProvider, putTenant } from "../../shared/tenancy/tenancyStore.js";

let stack: Stack;
let seed: DemoSeed;
let otherKey: string;

const put = (collection: string, id: string, json: unknown, key = seed.apiKey) =>
  call(`${stack.apiUrl}/v1/directory/${collection}/${id}`, { method: "PUT", key, json });
const lookup = (query: string, key = seed.apiKey) => call(`${stack.apiUrl}/v1/directory/lookup?${query}`, { key });

async function indexRows(): Promise<number> {
  let count = 0;
  for await (const _ of stack.services.tables.directoryIndex.listEntities()) count++;
  return count;
}

beforeAll(async () => {
  ({ stack, seed } = await startTestStack());
  await putTenant(stack.services, { tenantId: "tailspin", name: "Tailspin (GB)", defaultCountry: "GB" });
  await putProvider(stack.services, { tenantId: "tailspin", providerId: "p", label: "P" });
  otherKey = (await issuePartnerKey(stack.services.tables, "tailspin", "p", new Date())).apiKey;
});
afterAll(() => stack?.close());

describe("partner directory", () => {
  it("stores numbers as E.164 with the extension apart, and finds the record by any format of its number", async () => {
    const res = await put("contacts", "c-erin", {
      name: "Erin Lee",
      phones: ["(425) 555-0133 ext. 12", { number: "tel:+1-425-555-0134", label: "mobile" }],
      emails: ["Erin@Example.com"],
      accountId: "acc-fabrikam",
    });
    expect(res.status).toBe(200);
    expect(res.body.phones).toEqual([
      { raw: "(425) 555-0133 ext. 12", e164: "+14255550133", extension: "12" },
      { raw: "tel:+1-425-555-0134", e164: "+14255550134", label: "mobile" },
    ]);
    for (const query of ["phone=%2B14255550133", "phone=425.555.0133", "phone=(425)%20555-0133%20x99", "email=erin%40example.com"]) {
      const found = await lookup(query);
      expect(found.status, query).toBe(200);
      expect(found.body.matches, query).toEqual([{ type: "contact", id: "c-erin", name: "Erin Lee" }]);
    }
  });

  it("moves the index with the record: an old number stops matching once replaced", async () => {
    await put("contacts", "c-move", { name: "Mover", phones: ["+1 206 555 0170"] });
    expect((await lookup("phone=2065550170")).body.matches).toHaveLength(1);
    await put("contacts", "c-move", { name: "Mover", phones: ["+1 206 555 0171"] });
    expect((await lookup("phone=2065550170")).body.matches).toEqual([]);
    expect((await lookup("phone=2065550171")).body.matches).toEqual([{ type: "contact", id: "c-move", name: "Mover" }]);
  });

  it("reads national numbers in the tenant's own country", async () => {
    await put("contacts", "c-gb", { name: "Gwen", phones: ["020 7946 0123"] }, otherKey);
    const found = await lookup("phone=%2B442079460123", otherKey);
    expect(found.body).toEqual({ query: { phone: "+442079460123", e164: "+442079460123" }, matches: [{ type: "contact", id: "c-gb", name: "Gwen" }], source: "directory" });
  });

  it("keeps tenants apart", async () => {
    expect((await lookup(`phone=${encodeURIComponent(demo.numbers.oneContact)}`, otherKey)).body.matches).toEqual([]);
    expect((await lookup("phone=%2B442079460123")).body.matches).toEqual([]);
    const agent = await call(`${stack.apiUrl}/v1/agent/directory/contacts/c-gb`, { headers: { cookie: await signInCookie(stack.url) } });
    expect(agent.status).toBe(404);
  });

  describe("bad input gets problem+json and stores nothing", () => {
    const cases: Array<[string, () => Promise<Awaited<ReturnType<typeof call>>>, number]> = [
      ["an unknown collection", () => put("leads", "x1", { name: "X" }), 400],
      ["a bad record id", () => put("contacts", "%20bad%20id", { name: "X" }), 400],
      ["a missing name", () => put("contacts", "x2", { phones: ["+12065550100"] }), 400],
      ["an unreadable phone number", () => put("contacts", "x3", { name: "X", phones: ["call me maybe"] }), 400],
      ["an invalid email", () => put("contacts", "x4", { name: "X", emails: ["not-an-email"] }), 400],
      ["an account that does not exist", () => put("contacts", "x5", { name: "X", phones: ["+12065550177"], accountId: "acc-nope" }), 400],
      ["a lookup with no phone or email", () => lookup(""), 400],
      ["a lookup of a phone number that cannot be read", () => lookup("phone=call%20me%20maybe"), 400],
      ["a lookup of an unreadable phone number beside an email", () => lookup("phone=xyz123&email=a%40b.example"), 400],
      ["no key", () => call(`${stack.apiUrl}/v1/directory/contacts/x6`, { method: "PUT", json: { name: "X" } }), 401],
    ];
    it.each(cases)("%s", async (_name, send, status) => {
      const before = await indexRows();
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(typeof res.body.detail).toBe("string");
      expect(await indexRows()).toBe(before);
    });
  });
});
