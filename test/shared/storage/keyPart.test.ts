import { describe, expect, it } from "vitest";
import { keyPart, maxKeyChars, roomAfter } from "../../../shared/storage/keyPart.js";

const forbidden = /[\u0000-\u001f\u007f-\u009f/\\#?|]/;

describe("keyPart", () => {
  it.each([
    ["a text that fits stays readable (percent-encoded)", "sales/EU #1?", 100, "sales%2FEU%20%231%3F"],
    ["an empty text is empty", "", 100, ""],
    ["exactly the room stays readable", "x".repeat(100), 100, "x".repeat(100)],
  ])("%s", (_what, text, room, expected) => {
    expect(keyPart(text, room)).toBe(expected);
  });

  it("a text past the room becomes its encoded beginning, '=' and its SHA-256, never splitting a character", () => {
    const part = keyPart("€".repeat(128), 100);
    expect(part.length).toBeLessThanOrEqual(100);
    expect(part).toMatch(/^(%E2%82%AC)+=[0-9a-f]{64}$/);
    expect(part).not.toMatch(forbidden);
    expect(keyPart("€".repeat(128), 100)).toBe(part);
    expect(keyPart("€".repeat(127) + "£", 100)).not.toBe(part);
  });

  it("text with a lone surrogate (which percent-encoding refuses) is hashed, distinctly", () => {
    const a = keyPart("q\ud800", 100);
    const b = keyPart("q\udc00", 100);
    expect(a).toMatch(/^q=[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
  });

  it("leaves the other parts their room", () => {
    expect(roomAfter("a".repeat(128), "provider", "b".repeat(128))).toBe(maxKeyChars - 267);
    expect(() => keyPart("x", 10)).toThrow(RangeError);
  });
});
