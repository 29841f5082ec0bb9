import type { DirectoryRecord, DirectoryRecordInput, RecordMatch } from "../../shared/schemas/directory.js";
import type { Agent } from "../../shared/schemas/agent.js";
import type { LookupResult } from "../../shared/schemas/directoryRoutes.js";
import type { Activity, ActivityList } from "../../shared/schemas/activity.js";

export type Collection = "contacts" | "accounts";

/** The reference desktop's own data calls (the CRM's side; the WebCTI client does not use these). */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api${path}`, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = (await response.json().catch(() => ({}))) as T & { detail?: string };
  if (!response.ok) throw new Error(parsed.detail ?? `${method} ${path}: ${response.status}`);
  return parsed;
}

export const crmApi = {
  me: () => request<Agent>("GET", "/v1/agent/me"),
  list: (collection: Collection) => request<{ records: DirectoryRecord[] }>("GET", `/v1/agent/directory/${collection}`),
  get: (collection: Collection, id: string) =>
    request<DirectoryRecord>("GET", `/v1/agent/directory/${collection}/${encodeURIComponent(id)}`),
  save: (collection: Collection, id: string, input: DirectoryRecordInput) =>
    request<DirectoryRecord>("PUT", `/v1/agent/directory/${collection}/${encodeURIComponent(id)}`, input),
  timeline: (collection: Collection, id: string, cursor?: string) =>
    request<ActivityList>(
      "GET",
      `/v1/agent/directory/${collection}/${encodeURIComponent(id)}/activities${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`,
    ),
  search: (query: string) =>
    request<LookupResult>("GET", `/v1/agent/search?${query.includes("@") ? "email" : "phone"}=${encodeURIComponent(query)}`),
};

export interface SignedIn {
  userId: string;
  name: string;
}

/** Who App Service Authentication says is signed in (the same /.auth/me in Azure and locally). */
export async function whoIsSignedIn(): Promise<SignedIn | undefined> {
  const response = await fetch("/.auth/me", { credentials: "same-origin" });
  if (!response.ok) return undefined;
  const [entry] = (await response.json()) as Array<{ user_id: string; user_claims: Array<{ typ: string; val: string }> }>;
  if (!entry) return undefined;
  return { userId: entry.user_id, name: entry.user_claims.find((c) => c.typ === "name")?.val ?? entry.user_id };
}

export type { Activity, DirectoryRecord, RecordMatch };
