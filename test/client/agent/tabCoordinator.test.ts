import { BroadcastChannel as NodeBroadcastChannel } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { createTabCoordinator, electTab, joinTabs, type TabChannel, type TabCoordinator } from "../../../client/agent/tabCoordinator.js";
import { memoryStorage } from "../../../client/agent/popLedger.js";
import { waitFor } from "../../local/webpubsub/support.js";

/**
 * The coordinator's rules, with Node's BroadcastChannel between "tabs" in one process (Node has no Web
 * Locks: these are the rules without them; the Chromium test, test/e2e/severalTabs.test.ts, runs them
 * with locks).
 */
const open: TabCoordinator[] = [];
afterEach(() => {
  for (const tabs of open.splice(0)) tabs.close();
});

let n = 0;
function tabsOf(count: number, usedAt: number[] = []) {
  const key = `test.tabs.${++n}`;
  const storage = memoryStorage(); // localStorage, shared by the tabs of one origin
  return Array.from({ length: count }, (_, i) => {
    const tabs = createTabCoordinator({
      key,
      channel: new NodeBroadcastChannel(`${key}.tabs`) as unknown as TabChannel,
      storage,
      usedAt: usedAt[i] ?? 0,
      takeoverMs: 50,
    });
    open.push(tabs);
    return tabs;
  });
}

async function electedOf(tabs: TabCoordinator[]): Promise<boolean[]> {
  return Promise.all(tabs.map((t) => t.isElected()));
}

describe("electTab", () => {
  it.each([
    { usedAt: [], elected: undefined, why: "no tab" },
    { usedAt: [["a", 5]], elected: "a", why: "one tab" },
    { usedAt: [["a", 5], ["b", 9], ["c", 7]], elected: "b", why: "the one used last" },
    { usedAt: [["b", 0], ["a", 0]], elected: "a", why: "none used yet: the smallest id, the same in every tab" },
    { usedAt: [["b", 3], ["a", 3]], elected: "a", why: "a tie: the smallest id" },
  ] as Array<{ usedAt: Array<[string, number]>; elected: string | undefined; why: string }>)("$why", ({ usedAt, elected }) => {
    expect(electTab(new Map(usedAt))).toBe(elected);
  });
});

describe("tab coordinator", () => {
  it("elects the tab used last, and moves the election when another tab is used", async () => {
    const [a, b] = tabsOf(2, [100, 200]);
    await waitFor(async () => (await electedOf([a!, b!])).join() === "false,true", 2_000, "b elected in both tabs");
    a!.markUsed();
    await waitFor(async () => (await electedOf([a!, b!])).join() === "true,false", 2_000, "a elected in both tabs");
  });

  it("tells a tab that joins who was used last", async () => {
    const [a] = tabsOf(1, [Date.now()]);
    const key = `test.tabs.${n}`;
    const late = createTabCoordinator({ key, channel: new NodeBroadcastChannel(`${key}.tabs`) as unknown as TabChannel, storage: memoryStorage(), usedAt: 0 });
    open.push(late);
    await waitFor(async () => (await a!.isElected()) && !(await late.isElected()), 2_000, "the earlier, used tab stays elected");
  });

  it("counts a tab no more once it said bye", async () => {
    const [a, b] = tabsOf(2, [100, 200]);
    await waitFor(async () => a!.isElected().then((e) => !e), 2_000, "b elected");
    const changes: number[] = [];
    a!.onChange(() => changes.push(1));
    b!.close();
    await waitFor(() => a!.isElected(), 2_000, "a elected once b left");
    expect(changes.length).toBeGreaterThan(0);
  });

  it("lets one tab claim a pop, and says when another pop of the same partner event was shown", async () => {
    const [a, b] = tabsOf(2);
    const until = Date.now() + 60_000;
    expect(await a!.claim("pop-1", "event:p/c/e1", until)).toEqual({ won: true, eventShown: false });
    expect(await b!.claim("pop-1", "event:p/c/e1", until)).toEqual({ won: false, eventShown: false });
    expect(await b!.claim("pop-2", "event:p/c/e1", until)).toEqual({ won: true, eventShown: true });
    expect(await a!.claim("pop-3", "event:p/c/e2", until)).toEqual({ won: true, eventShown: false });
  });

  it("outside a browser is alone: elected, every claim its own (the ledger de-duplicates)", async () => {
    const alone = joinTabs(`test.alone.${++n}`);
    expect(joinTabs(`test.alone.${n}`)).toBe(alone);
    await expect(alone.isElected()).resolves.toBe(true);
    await expect(alone.claim("pop-1", "event:p/c/e", Date.now())).resolves.toEqual({ won: true, eventShown: false });
    await expect(alone.claim("pop-1", "event:p/c/e", Date.now())).resolves.toEqual({ won: true, eventShown: false });
  });
});
