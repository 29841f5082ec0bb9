import { h } from "./dom.js";
import { crmApi, type Activity, type Collection, type DirectoryRecord, type RecordMatch } from "./crmApi.js";
import type { DirectoryRecordInput } from "../../shared/schemas/directory.js";

export interface Route {
  page: "list" | "record" | "newRecord" | "search" | "dashboard";
  collection: Collection;
  id?: string;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#\/?/, "").split("?");
  const params = new URLSearchParams(query);
  const [first, second] = path.split("/").map((s) => decodeURIComponent(s));
  if (first === "search") return { page: "search", collection: "contacts", params };
  if (first === "dashboard") return { page: "dashboard", collection: "contacts", params };
  const collection: Collection = first === "accounts" ? "accounts" : "contacts";
  if (second === "new") return { page: "newRecord", collection, params };
  if (second) return { page: "record", collection, id: second, params };
  return { page: "list", collection, params };
}

/** What page the agent is on, for the widgets' environment and navigation events. */
export function currentRecord(): { type: "contact" | "account"; id: string; name: string } | undefined {
  const section = document.querySelector<HTMLElement>("#page [data-record-type][data-record-id]");
  if (!section || section.tagName !== "SECTION") return undefined;
  return { type: section.dataset.recordType as "contact" | "account", id: section.dataset.recordId!, name: section.dataset.recordName ?? "" };
}

export function recordHref(match: Pick<RecordMatch, "type" | "id">): string {
  return `#/${match.type === "account" ? "accounts" : "contacts"}/${encodeURIComponent(match.id)}`;
}

/** Results a screen pop carried, so the search page shows exactly what the pop matched. */
export const popSearches = new Map<string, RecordMatch[]>();

/** The supervisor dashboard and its chart library: a chunk loaded the first time the page is opened. */
let dashboard: Promise<typeof import("./dashboard.js")> | undefined;

export async function renderRoute(route: Route): Promise<HTMLElement> {
  if (route.page !== "dashboard") void dashboard?.then((d) => d.leaveDashboard());
  switch (route.page) {
    case "dashboard":
      dashboard ??= import("./dashboard.js").catch((error: unknown) => {
        dashboard = undefined; // a chunk that failed to load is tried again on the next visit
        throw error;
      });
      return (await dashboard).dashboardPage(route.params);
    case "list":
      return listPage(route.collection);
    case "record":
      return recordPage(route.collection, route.id!);
    case "newRecord":
      return newRecordPage(route.collection, route.params);
    case "search":
      return searchPage(route.params.get("q") ?? "");
  }
}

async function listPage(collection: Collection): Promise<HTMLElement> {
  const [{ records }, accounts] = await Promise.all([crmApi.list(collection), accountNames()]);
  const title = collection === "contacts" ? "Contacts" : "Accounts";
  return h(
    "section",
    { "data-page": `${collection}-list` },
    h("h1", {}, title),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, h("th", {}, "Name"), collection === "contacts" ? h("th", {}, "Account") : null, h("th", {}, "Phone"), h("th", {}, "Email"))),
      h(
        "tbody",
        {},
        records.map((r) =>
          h(
            "tr",
            { "data-record-id": r.id, "data-record-type": r.type, "data-record-name": r.name },
            h("td", {}, h("a", { href: recordHref(r) }, r.name)),
            collection === "contacts" ? h("td", {}, r.accountId ? h("a", { href: recordHref({ type: "account", id: r.accountId }) }, accounts.get(r.accountId) ?? r.accountId) : "") : null,
            h("td", {}, r.phones.flatMap((p, i) => [i > 0 ? ", " : null, phoneLink(p)])),
            h("td", {}, r.emails.join(", ")),
          ),
        ),
      ),
    ),
  );
}

async function recordPage(collection: Collection, id: string): Promise<HTMLElement> {
  const record = await crmApi.get(collection, id);
  const section = h("section", {
    "data-page": collection === "contacts" ? "contact" : "account",
    "data-record-id": record.id,
    "data-record-type": record.type,
    "data-record-name": record.name,
  });
  section.append(h("h1", {}, record.name));
  if (record.phones.length) {
    section.append(h("p", { class: "phones", "data-phones": "" }, "Call: ", record.phones.flatMap((p, i) => [i > 0 ? " · " : null, phoneLink(p)])));
  }
  section.append(recordForm(collection, record.id, record, "Save"));
  section.append(await timelineSection(collection, record.id));
  if (collection === "contacts" && record.accountId) {
    const account = await crmApi.get("accounts", record.accountId).catch(() => undefined);
    if (account) section.append(h("p", {}, "Account: ", h("a", { href: recordHref(account), "data-account-link": "" }, account.name)));
  }
  if (collection === "accounts") {
    const { records } = await crmApi.list("contacts");
    const members = records.filter((c) => c.accountId === record.id);
    section.append(
      h("h2", {}, "Contacts"),
      h("ul", { "data-account-contacts": "" }, members.map((c) => h("li", {}, h("a", { href: recordHref(c) }, c.name)))),
    );
  }
  return section;
}

/** The record's calls and chats, newest first; later pages load on demand, pushed activities slot in live. */
export async function timelineSection(collection: Collection, id: string): Promise<HTMLElement> {
  const page = await crmApi.timeline(collection, id);
  const list = h("ol", { class: "timeline", "data-timeline": "" });
  const section = h(
    "section",
    { "data-timeline-section": "" },
    h("h2", {}, "Timeline"),
    h("p", { class: "muted", "data-timeline-empty": "" }, "No calls or chats logged yet."),
    list,
  );
  for (const activity of page.activities) addActivity(list, activity);
  showEmpty(section);
  let cursor = page.nextCursor;
  if (cursor) {
    const more: HTMLButtonElement = h("button", { type: "button", "data-timeline-more": "" }, "Older activities");
    more.addEventListener("click", () => {
      more.disabled = true;
      crmApi.timeline(collection, id, cursor ?? undefined).then(
        (next) => {
          for (const activity of next.activities) addActivity(list, activity);
          cursor = next.nextCursor;
          more.disabled = false;
          if (!cursor) more.remove();
        },
        (error: Error) => {
          more.disabled = false;
          more.title = error.message;
        },
      );
    });
    section.append(more);
  }
  return section;
}

/**
 * Puts an activity on the open record's timeline (a push from the service, or a widget that just logged
 * it), in its place by time; one that is there already is left alone. True when the page shows the record.
 */
export function showActivity(activity: Activity): boolean {
  const shown = currentRecord();
  if (!shown || shown.type !== activity.record.type || shown.id !== activity.record.id) return false;
  const section = document.querySelector<HTMLElement>("#page [data-timeline-section]");
  const list = section?.querySelector<HTMLOListElement>("[data-timeline]");
  if (!section || !list) return false;
  addActivity(list, activity);
  showEmpty(section);
  return true;
}

function addActivity(list: HTMLOListElement, activity: Activity) {
  if ([...list.children].some((li) => (li as HTMLElement).dataset.activityId === activity.activityId)) return;
  const item = activityItem(activity);
  const when = Number(item.dataset.when);
  const after = [...list.children].find((li) => Number((li as HTMLElement).dataset.when) < when);
  list.insertBefore(item, after ?? null);
}

function showEmpty(section: HTMLElement) {
  const empty = section.querySelector<HTMLElement>("[data-timeline-empty]")!;
  const list = section.querySelector<HTMLElement>("[data-timeline]")!;
  empty.hidden = list.children.length > 0;
  list.hidden = list.children.length === 0;
}

function activityItem(a: Activity): HTMLLIElement {
  const when = a.endedAt ?? a.startedAt ?? a.createdAt;
  const talk = a.durations?.talkSeconds ?? a.durationSeconds;
  return h(
    "li",
    { "data-activity-id": a.activityId, "data-when": String(Date.parse(when)) },
    h("strong", {}, a.subject),
    ` · ${a.channel} ${a.direction}`,
    a.disposition ? ` · ${a.disposition}` : "",
    talk !== undefined ? ` · ${clock(talk)}` : "",
    a.durations?.holdSeconds ? ` (on hold ${clock(a.durations.holdSeconds)})` : "",
    ` · ${new Date(when).toLocaleString()}`,
    a.recordingUrl ? [" · ", h("a", { href: a.recordingUrl, target: "_blank", rel: "noopener noreferrer" }, "recording")] : null,
    a.transcriptUrl ? [" · ", h("a", { href: a.transcriptUrl, target: "_blank", rel: "noopener noreferrer" }, "transcript")] : null,
    a.notes ? h("p", {}, a.notes) : null,
  );
}

function clock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

function newRecordPage(collection: Collection, params: URLSearchParams): HTMLElement {
  const phone = params.get("phone") ?? "";
  const extension = params.get("extension");
  const prefill: Partial<DirectoryRecord> = {
    name: params.get("name") ?? "",
    phones: phone ? [{ raw: extension ? `${phone} ext. ${extension}` : phone, e164: phone }] : [],
    emails: params.get("email") ? [params.get("email")!] : [],
  };
  const id = `${collection === "contacts" ? "c" : "acc"}-${crypto.randomUUID().slice(0, 8)}`;
  return h(
    "section",
    { "data-page": collection === "contacts" ? "new-contact" : "new-account" },
    h("h1", {}, collection === "contacts" ? "New contact" : "New account"),
    phone ? h("p", { class: "banner" }, `Incoming call from ${phone}: no matching record.`) : null,
    recordForm(collection, id, prefill, "Create"),
  );
}

async function searchPage(query: string): Promise<HTMLElement> {
  const results = popSearches.get(query) ?? (await crmApi.search(query)).matches;
  return h(
    "section",
    { "data-page": "search", "data-query": query },
    h("h1", {}, `Search: ${query}`),
    h("p", { class: "muted" }, `${results.length} matching record${results.length === 1 ? "" : "s"}`),
    h(
      "ul",
      { "data-search-results": "" },
      results.map((m) => h("li", { "data-record-id": m.id }, h("a", { href: recordHref(m) }, m.name), ` (${m.type})`)),
    ),
    h("p", {}, h("a", { href: `#/contacts/new?phone=${encodeURIComponent(query)}` }, "None of these: create a new contact")),
  );
}

function recordForm(collection: Collection, id: string, record: Partial<DirectoryRecord>, submitLabel: string): HTMLFormElement {
  const phones = [...(record.phones ?? []), { raw: "", e164: "", label: "" }];
  const form = h(
    "form",
    { class: "record", "data-record-form": "" },
    h("label", { for: "f-name" }, "Name"),
    h("input", { id: "f-name", name: "name", required: true, value: record.name ?? "" }),
    collection === "contacts" ? [h("label", { for: "f-title" }, "Title"), h("input", { id: "f-title", name: "title", value: record.title ?? "" })] : [],
    collection === "contacts"
      ? [h("label", { for: "f-account" }, "Account id"), h("input", { id: "f-account", name: "accountId", value: record.accountId ?? "" })]
      : [],
    phones.flatMap((p, i) => [
      h("label", { for: `f-phone-${i}` }, i === 0 ? "Phones" : ""),
      h(
        "div",
        {},
        h("input", { id: `f-phone-${i}`, name: "phone", "data-phone": "", value: p.raw, "aria-label": `Phone ${i + 1}` }),
        " ",
        h("input", { name: "phoneLabel", value: p.label ?? "", placeholder: "label", "aria-label": `Phone ${i + 1} label`, size: "8" }),
      ),
    ]),
    h("label", { for: "f-emails" }, "Emails"),
    h("input", { id: "f-emails", name: "emails", value: (record.emails ?? []).join(", ") }),
    h("label", { for: "f-notes" }, "Notes"),
    h("textarea", { id: "f-notes", name: "notes", rows: "3" }, record.notes ?? ""),
    h("div", { class: "actions" }, h("button", { type: "submit" }, submitLabel), h("span", { role: "status", "data-form-status": "" })),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const labels = data.getAll("phoneLabel").map(String);
    const input: DirectoryRecordInput = {
      name: String(data.get("name") ?? "").trim(),
      phones: data
        .getAll("phone")
        .map((n, i) => ({ number: String(n).trim(), label: labels[i]?.trim() || undefined }))
        .filter((p) => p.number),
      emails: String(data.get("emails") ?? "").split(",").map((e) => e.trim()).filter(Boolean),
      title: String(data.get("title") ?? "").trim() || undefined,
      accountId: String(data.get("accountId") ?? "").trim() || undefined,
      notes: String(data.get("notes") ?? "").trim() || undefined,
    };
    const status = form.querySelector<HTMLElement>("[data-form-status]")!;
    status.textContent = "Saving…";
    crmApi.save(collection, id, input).then(
      (saved) => {
        status.textContent = "Saved";
        location.hash = recordHref(saved);
      },
      (error: Error) => {
        status.textContent = error.message;
      },
    );
  });
  return form;
}

/** Phone numbers are tel: links: the browser client sends a click to the active widget (click-to-act). */
function phoneLink(p: DirectoryRecord["phones"][number]): HTMLElement {
  const href = `tel:${p.e164}${p.extension ? `;ext=${p.extension}` : ""}`;
  return h("a", { href, class: "phone" }, p.raw, p.label ? ` (${p.label})` : "");
}

async function accountNames(): Promise<Map<string, string>> {
  const { records } = await crmApi.list("accounts");
  return new Map(records.map((a) => [a.id, a.name]));
}
