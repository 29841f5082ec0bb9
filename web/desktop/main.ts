// The reference agent desktop: a small CRM that loads the WebCTI browser client as any CRM page would
// (a separate script, /webcti/agent.js) and implements its adapter with the CRM's own navigation.
import { createAgentClient, mountPanels, type AgentClient, type PanelAdapter, type PanelHost } from "/webcti/agent.js";
import { h } from "./dom.js";
import { crmApi, whoIsSignedIn } from "./crmApi.js";
import { mountPresence } from "./presence.js";
import { mountSessionBar } from "./sessionBar.js";
import { currentRecord, parseRoute, popSearches, recordHref, renderRoute, showActivity } from "./pages.js";
import type { Activity } from "./crmApi.js";

const page = document.getElementById("page")!;
const connection = document.getElementById("connection")!;
const popLog = document.getElementById("pop-log")!;
const clickLog = document.getElementById("click-log")!;

const dashboardPage = () => page.querySelector<HTMLElement>(':scope > [data-page="dashboard"]');

let panelHost: PanelHost | undefined;
let renderCount = 0;
async function render() {
  const token = ++renderCount;
  try {
    const content = await renderRoute(parseRoute(location.hash));
    if (token !== renderCount) return;
    page.replaceChildren(content);
    panelHost?.notifyNavigation();
  } catch (error) {
    if (token !== renderCount) return;
    page.replaceChildren(h("p", { class: "banner error", role: "alert" }, (error as Error).message));
  }
}

const adapter: PanelAdapter = {
  getPageContext() {
    const record = currentRecord();
    return { url: location.href, title: document.title, ...(record ? { record } : {}) };
  },
  openRecord(record) {
    location.hash = recordHref(record);
  },
  openSearch({ query, results }) {
    popSearches.set(query, results);
    location.hash = `#/search?q=${encodeURIComponent(query)}`;
  },
  openNewRecord({ recordType, prefill }) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(prefill)) if (value) params.set(key, value);
    location.hash = `#/${recordType === "account" ? "accounts" : "contacts"}/new?${params}`;
  },
};

function signInPage() {
  const demoLogin = `/.auth/login/demo?user=dana&name=${encodeURIComponent("Dana Reyes")}&post_login_redirect_uri=/`;
  page.replaceChildren(
    h(
      "section",
      { "data-page": "sign-in" },
      h("h1", {}, "Sign in"),
      h("p", {}, "The agent desktop needs a signed-in agent (App Service Authentication)."),
      // In Azure: Microsoft Entra ID (docs/operations.md). On the local stack: the demo stand-in.
      h("p", {}, h("a", { href: "/.auth/login/aad?post_login_redirect_uri=/", "data-entra-sign-in": "" }, "Sign in with Microsoft Entra ID")),
      h("p", {}, h("a", { href: demoLogin, "data-demo-sign-in": "" }, "Local stack: sign in as the demo agent, Dana Reyes")),
    ),
  );
}

async function main() {
  const user = await whoIsSignedIn();
  if (!user) return signInPage();
  document.getElementById("sign-out")!.hidden = false;
  try {
    const agent = await crmApi.me();
    document.getElementById("agent-name")!.textContent = agent.displayName;
    document.getElementById("nav-dashboard")!.hidden = !agent.supervisor;
  } catch (error) {
    page.replaceChildren(h("p", { class: "banner error", role: "alert" }, `Signed in as ${user.name}, but: ${(error as Error).message}`));
    return;
  }

  window.addEventListener("hashchange", () => void render());
  await render();

  const client: AgentClient = createAgentClient({ adapter });
  (window as unknown as { webcti: AgentClient }).webcti = client;
  mountPresence(document.getElementById("presence")!, client);
  client.on("state", (state) => {
    connection.dataset.state = state;
    connection.textContent = state === "connected" ? "connected" : state;
    // Pushes sent while the page was not connected are not replayed: the dashboard reads its figures again.
    if (state === "connected") dashboardPage()?.dispatchEvent(new CustomEvent("webcti:reconnected"));
  });
  client.on("pop", ({ pop, outcome, via }) => {
    const target = pop.target;
    const what =
      target.kind === "record"
        ? target.record.name
        : target.kind === "search"
          ? `search ${target.query}`
          : target.kind === "lookup"
            ? `look up ${target.customer.phone ?? target.customer.email ?? target.customer.name ?? ""}`
            : `new ${target.recordType}`;
    popLog.prepend(
      h(
        "li",
        { "data-pop-id": pop.id, "data-outcome": outcome },
        `${new Date().toLocaleTimeString()} · ${what} · ${outcome}${via === "catchUp" ? " (caught up)" : ""}`,
      ),
    );
  });
  // An activity stored for this agent (by a widget, or by a partner's server): on the open timeline at once.
  client.on("message", (message) => {
    if (message.kind === "activity") showActivity(message.activity);
    // Figures changed (conversations ended): the open dashboard reads them again.
    if (message.kind === "kpis") dashboardPage()?.dispatchEvent(new CustomEvent("webcti:kpis", { detail: message }));
  });
  client.on("error", (error) => console.warn("WebCTI:", error.message));
  // The partner widgets, docked at the right; they stay loaded while the agent moves between pages.
  mountPanels({
    container: document.getElementById("panels")!,
    adapter,
    client, // the widgets hear the service's presence pushes through the desktop's own connection
    trackNavigation: false, // render() tells the widgets once the new page is on screen
    onEvent: (event) => {
      console.debug("WebCTI panel", event);
      // A widget logged a call: show it at once (the push that follows finds it there already).
      if (event.type === "activityLogged") showActivity(event.activity as Activity);
      // A click no widget took went to a provider without a widget, by webhook: say what became of it.
      if (event.type === "clickToActWebhook") {
        const { payload, outcome } = event;
        const what = payload.e164 ?? payload.email ?? payload.raw;
        clickLog.prepend(
          h(
            "li",
            { "data-provider-id": event.providerId, "data-outcome": outcome.ok ? outcome.deliveryStatus : "refused", "data-delivery-id": outcome.ok ? outcome.deliveryId : undefined },
            `${new Date().toLocaleTimeString()} · ${what} → ${event.providerId} · ${outcome.ok ? outcome.deliveryStatus : `refused: ${outcome.message}`}`,
          ),
        );
      }
    },
  }).then(
    (panels: PanelHost) => {
      panelHost = panels;
      (window as unknown as { webctiPanels: PanelHost }).webctiPanels = panels;
      // Switching sessions shows the session's last tab, as the CRM's own navigation.
      mountSessionBar(document.getElementById("session-bar")!, panels.sessions, (tab) => {
        if (tab.record) adapter.openRecord({ type: tab.record.type, id: tab.record.id, name: tab.record.name ?? tab.record.id });
        else if (tab.query !== undefined) location.hash = `#/search?q=${encodeURIComponent(tab.query)}`;
        else if (tab.newRecord) location.hash = `#/${tab.newRecord === "account" ? "accounts" : "contacts"}/new`;
      });
    },
    (error: Error) => console.warn("WebCTI panels:", error.message),
  );
  await client.start().catch((error: Error) => {
    connection.textContent = `offline: ${error.message}`;
  });
}

void main();
