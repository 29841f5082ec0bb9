import { describe, expect, it } from "vitest";
import { capPartnerEvents, maxPartnerEventNames, otherPartnerEvents, partnerEventNamer } from "../../../shared/analytics/capPartnerEvents.js";

const names = (n: number, count = 1) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`e${String(i).padStart(3, "0")}`, count]));

describe("capPartnerEvents", () => {
  it("keeps counts of at most 50 names as they are", () => {
    expect(capPartnerEvents(names(maxPartnerEventNames))).toEqual(names(maxPartnerEventNames));
  });

  it("keeps the 50 most counted (ties by name) and adds the rest to (other), with any event named so", () => {
    const counts = { ...names(60), e059: 5, [otherPartnerEvents]: 2 };
    const capped = capPartnerEvents(counts);
    expect(Object.keys(capped)).toHaveLength(maxPartnerEventNames + 1);
    expect(capped.e059).toBe(5);
    expect(capped.e048).toBe(1);
    expect(capped.e049).toBeUndefined();
    expect(capped[otherPartnerEvents]).toBe(2 + 10);
    expect(Object.values(capped).reduce((a, b) => a + b)).toBe(Object.values(counts).reduce((a, b) => a + b));
  });

  it("names a conversation's events the same whatever their order", () => {
    const events = [...Object.keys(names(70)), "e069", "e069"];
    const forward = partnerEventNamer(events);
    const backward = partnerEventNamer([...events].reverse());
    for (const name of events) expect(backward(name)).toBe(forward(name));
    expect(forward("e069")).toBe("e069");
    expect(forward("e060")).toBe(otherPartnerEvents);
  });
});
