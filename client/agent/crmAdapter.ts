import type { ActivityFields, Channel } from "../protocol.js";
import { WidgetCallError } from "./widgetCallError.js";

/** A record in the CRM's own data: its type (contact, account, lead, case…), id, and whatever fields it has. */
export interface CrmRecord {
  type: string;
  id: string;
  name?: string;
  fields?: Record<string, unknown>;
}

export interface CrmRecordRef {
  type: string;
  id: string;
}

/** Who is calling, as the screen pop or the widget knows it; the adapter searches with what it has. */
export interface CrmSearchQuery {
  phone?: string;
  email?: string;
  name?: string;
  customerId?: string;
}

/** A call or chat a widget logged, for the CRM to keep on the record's timeline. */
export interface CrmActivity extends ActivityFields {
  /** The widget's id for it, when it gave one: the same id again is the same activity. */
  activityId?: string;
  providerId: string;
  agentId: string;
  channel: Channel;
  direction: "inbound" | "outbound";
  record: CrmRecordRef;
}

/**
 * The record operations a CRM page may implement when the tenant's records live in the CRM
 * (`crm.records` = `host`): caller look-up for screen pops, and the widget's record calls. Each is
 * optional: a widget calling one the page lacks gets `not_supported`.
 */
export interface CrmRecordsAdapter {
  search?(query: CrmSearchQuery): Promise<CrmRecord[]>;
  getRecord?(ref: CrmRecordRef): Promise<CrmRecord | undefined>;
  createRecord?(type: string, fields: Record<string, unknown>): Promise<CrmRecord>;
  updateRecord?(ref: CrmRecordRef, fields: Record<string, unknown>): Promise<CrmRecord>;
  deleteRecord?(ref: CrmRecordRef): Promise<void>;
  logActivity?(activity: CrmActivity): Promise<{ id: string }>;
  /** The record types a widget may create (default: any id-shaped type). */
  recordTypes?: string[];
}

/** How long an adapter's record call may take before it counts as failed (a pop: `adapterFailed`). */
export const adapterTimeoutMs = 10_000;

/** The adapter's answer, or a rejection once `adapterTimeoutMs` has passed without one. */
export function withinAdapterTimeout<T>(what: string, answer: Promise<T>, timeoutMs = adapterTimeoutMs): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WidgetCallError("timeout", `The CRM adapter's ${what}() did not answer within ${timeoutMs} ms.`)), timeoutMs);
  });
  return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
}
