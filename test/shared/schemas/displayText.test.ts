import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { displayText } from "../../../shared/schemas/displayText.js";
import { isPrintable, unprintableDetail } from "../../../shared/schemas/printable.js";
import { Agent } from "../../../shared/schemas/agent.js";
import { Provider, Tenant } from "../../../shared/schemas/provider.js";
import { AgentPanel, ClickToActWebhookProvider } from "../../../shared/schemas/panel.js";
import { CustomerLookupAnswer } from "../../../shared/schemas/directoryLookup.js";
import { PresenceInput } from "../../../shared/schemas/presence.js";

/** Every code point the rule refuses on one line, and the ones a multi-line field keeps. */
const c0 = Array.from({ length: 0x20 }, (_, i) => i);
const c1 = Array.from({ length: 0x21 }, (_, i) => 0x7f + i);
const bidi = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];

describe("the printable-text rule (shared/schemas/printable.ts)", () => {
  it("refuses every C0 and C1 control, DEL and every bidi embedding, override and isolate on one line", () => {
    for (const code of [...c0, ...c1, ...bidi]) {
      const text = `a${String.fromCodePoint(code)}b`;
      expect(isPrintable(text), code.toString(16)).toBe(false);
      expect(unprintableDetail(text)).toMatch(/^character 2 is U\+[0-9A-F]{4}, a (control character|bidi (embedding|override|isolate|pop)): only printable text on one line/);
    }
  });

  it("keeps line feeds and tabs in a multi-line field, nothing else of C0", () => {
    expect(isPrintable("a\nb\tc", true)).toBe(true);
    for (const code of c0.filter((c) => c !== 0x0a && c !== 0x09)) expect(isPrintable(`a${String.fromCharCode(code)}`, true)).toBe(false);
    expect(unprintableDetail("a\r\n", true)).toBe("character 2 is U+000D, a control character: only printable text, line feeds and tabs are allowed");
  });

  it("refuses a lone surrogate of either half, keeps a pair (an emoji), and counts characters by UTF-16 position", () => {
    expect(isPrintable("\ud83d")).toBe(false);
    expect(isPrintable("x\ude00")).toBe(false);
    expect(isPrintable("📞 call")).toBe(true);
    expect(unprintableDetail("📞\u202e")).toBe("character 3 is U+202E, a bidi override: only printable text on one line is allowed");
  });

  it("keeps every printable script, marks and spaces (no false positives)", () => {
    for (const text of ["Zoë O’Brien", "李小龍", "שלום", "مرحبا \u200f", "\u200e(LRM)", "a\u00a0b", "100 % — ok", "😀👍🏽", "\u2060"]) {
      expect(isPrintable(text), text).toBe(true);
      expect(unprintableDetail(text)).toBeUndefined();
    }
  });
});

describe("displayText and the schemas that use it", () => {
  it("applies the length bounds, trims only when asked, and reports the rule's detail", () => {
    const name = displayText({ max: 5 });
    expect(name.safeParse("").success).toBe(false);
    expect(name.safeParse("123456").success).toBe(false);
    expect(name.safeParse(" ok ").data).toBe(" ok ");
    expect(displayText({ max: 5, trim: true }).safeParse("  ok  ").data).toBe("ok");
    expect(displayText({ max: 5, min: 0 }).safeParse("").success).toBe(true);
    const issues = name.safeParse("a\u202eb").error!.issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toBe("character 2 is U+202E, a bidi override: only printable text on one line is allowed");
  });

  // Fields no partner route takes: operators set them (npm run ops), the look-up webhook answers them, or
  // the service builds answers from them. Each must refuse what the routes refuse.
  const cases: Array<[string, z.ZodType, (text: string) => unknown]> = [
    ["an agent's displayName (ops agent put)", Agent, (t) => ({ tenantId: "t", agentId: "a", displayName: `Ann${t}` })],
    ["a provider's label (ops provider put)", Provider, (t) => ({ tenantId: "t", providerId: "p", label: t, screenPopPolicy: {} })],
    ["a tenant's name (ops tenant put)", Tenant, (t) => ({ tenantId: "t", name: `Contoso${t}` })],
    ["a look-up webhook's match name", CustomerLookupAnswer, (t) => ({ matches: [{ type: "lead", id: "l1", name: t }] })],
    ["a look-up webhook's match phone", CustomerLookupAnswer, (t) => ({ matches: [{ type: "lead", id: "l1", phone: t }] })],
    ["a click-to-act provider's label", ClickToActWebhookProvider, (t) => ({ providerId: "p", label: t })],
    ["a presence reason", PresenceInput, (t) => ({ status: "away", reason: t })],
  ];
  it.each(cases)("%s refuses a control character, a bidi override and a lone surrogate", (_name, schema, value) => {
    expect(schema.safeParse(value("Fine")).success).toBe(true);
    for (const bad of ["\u0007", "\u202e", "\ud800"]) expect(schema.safeParse(value(bad)).success, JSON.stringify(bad)).toBe(false);
  });

  it("an agent panel's label follows the rule", () => {
    expect(AgentPanel.shape.label.safeParse("Softphone\u2066").success).toBe(false);
  });
});
