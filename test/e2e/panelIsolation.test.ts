import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { startProductionStack, type RunningStack } from "../../local/spawnStack.js";

/**
 * The panel host's UI in a shadow root: a CRM page's own CSS, however broad or forceful, does not restyle
 * the panels; the page themes them through the documented --webcti-… custom properties.
 */
let stack: RunningStack;
let browser: Browser;
let page: Page;

const panel = () => page.locator('.webcti-panel[data-provider-id="demo-softphone"]');

/** What the agent sees of the panel: its box, its frame's box, a mode button and the title bar's look. */
function look() {
  return panel().evaluate((el) => {
    const box = (e: Element | null) => {
      const r = e!.getBoundingClientRect();
      return { width: Math.round(r.width), height: Math.round(r.height) };
    };
    const bar = el.querySelector(".webcti-panel-bar")!;
    const button = el.querySelector("button[data-mode]")!;
    return {
      inShadowRoot: el.getRootNode() instanceof ShadowRoot,
      panel: box(el),
      iframe: box(el.querySelector("iframe")),
      button: { ...box(button), background: getComputedStyle(button).backgroundColor, fontSize: getComputedStyle(button).fontSize },
      bar: { background: getComputedStyle(bar).backgroundColor, display: getComputedStyle(bar).display },
      font: getComputedStyle(el).fontFamily,
      color: getComputedStyle(el).color,
    };
  });
}

beforeAll(async () => {
  stack = await startProductionStack();
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(stack.url);
  await page.locator("[data-demo-sign-in]").click();
  await panel().and(page.locator('[data-state="ready"]')).waitFor({ timeout: 15_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("panel isolation", () => {
  it("keeps the panels as they are under the page's hostile CSS", async () => {
    const before = await look();
    expect(before.inShadowRoot).toBe(true);
    expect(before.iframe.width).toBeGreaterThan(200);
    await page.addStyleTag({
      content: `
        #panels * { display: none !important; }
        #panels section, #panels header, #panels p, #panels span { display: none !important; }
        iframe { width: 1px !important; height: 1px !important; }
        button { font-size: 40px !important; padding: 30px !important; background: rgb(255, 0, 0) !important; width: 300px !important; }
        * { font-family: "Comic Sans MS", cursive !important; color: rgb(0, 255, 0) !important; }
        .webcti-panel, .webcti-panel-bar, [data-provider-id] { display: none !important; background: rgb(255, 0, 0) !important; }
      `,
    });
    expect(await look()).toEqual(before);
    // The page's own elements did take the rules: the CSS is live, it just does not reach the panels.
    await expect(page.locator("body").evaluate((b) => getComputedStyle(b).color)).resolves.toBe("rgb(0, 255, 0)");
  });

  it("takes the page's theme through the --webcti-… custom properties", async () => {
    // On the panels' container, or on :root for the notifications too.
    await page.addStyleTag({ content: `#panels { --webcti-bar-background: rgb(1, 2, 3); --webcti-panel-min-height: 500px; } :root { --webcti-font: 15px Georgia, serif; }` });
    const themed = await look();
    expect(themed.bar.background).toBe("rgb(1, 2, 3)");
    expect(themed.font).toBe("Georgia, serif");
    expect(themed.iframe.height).toBeGreaterThanOrEqual(500);
  });

  it("shows a widget's notification in its own shadow root, out of the page's CSS", async () => {
    const frame = await panel().locator("iframe").elementHandle().then((h) => h!.contentFrame());
    const answered = frame!.evaluate(() => (window as unknown as { webctiHost: { notify(n: unknown): Promise<string> } }).webctiHost.notify({ title: "Incoming chat", timeoutMs: 5_000 }));
    const note = page.locator(".webcti-notification[role=alertdialog]");
    await note.waitFor({ timeout: 10_000 });
    const seen = await note.evaluate((el) => ({
      inShadowRoot: el.getRootNode() instanceof ShadowRoot,
      display: getComputedStyle(el).display,
      width: Math.round(el.getBoundingClientRect().width),
      font: getComputedStyle(el).fontFamily,
    }));
    expect(seen).toEqual({ inShadowRoot: true, display: "block", width: 306, font: "Georgia, serif" });
    await note.locator('button[data-outcome="declined"]').click();
    await expect(answered).resolves.toBe("declined");
  });
});
