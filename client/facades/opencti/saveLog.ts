import type { ActivityRequest } from "../../widget/index.js";
import type { OpenCtiHost } from "./hostExtensions.js";
import { failWith, invalidParam } from "./openCtiResponse.js";
import { optionalNumber, optionalString, requiredObject, type Args } from "./checkArguments.js";
import type { KnownRecords } from "./knownRecords.js";

/**
 * saveLog: a softphone's call log is a Salesforce Task; in WebCTI it is an activity on the record's
 * timeline. The Task fields WebCTI keeps:
 *
 *   Subject → subject, Description → notes, CallDisposition → disposition,
 *   CallDurationInSeconds → durationSeconds, CallObject (the call's id) → conversationId,
 *   CallType Inbound | Outbound → direction, WhoId, else WhatId → the record (default: the one open).
 *
 * Other fields are not stored. With `Id` (an activity id an earlier saveLog answered) the activity is
 * updated: the given fields replace the stored ones; its record and direction stay as they were.
 */
export type SaveLogPlan =
  | { kind: "create"; activity: Omit<ActivityRequest, "record">; recordId: string | undefined }
  | { kind: "update"; activityId: string; fields: Partial<ActivityRequest> };

export function planSaveLog(args: Args): SaveLogPlan {
  const value = requiredObject(args, "value");
  const fields = taskFields(value);
  const id = optionalString(value, "Id", "value.Id");
  if (id !== undefined) {
    if (!id.trim()) invalidParam("value.Id", "A non-empty string", id);
    if (Object.keys(fields).length === 0) failWith("INVALID_PARAM", "saveLog with value.Id changes nothing: give at least one of Subject, Description, CallDisposition, CallDurationInSeconds, CallObject.", {
        parameter: "value",
      });
    return { kind: "update", activityId: id, fields };
  }
  const entity = optionalString(value, "entityApiName", "value.entityApiName");
  if (entity !== "Task") {
    failWith("INVALID_PARAM", `An invalid value was passed to the parameter value.entityApiName: WebCTI saves call logs (Task), not ${entity ?? "undefined"}.`, {
      parameter: "value.entityApiName",
    });
  }
  if (!fields.subject) invalidParam("value.Subject", "A non-empty string", value.Subject);
  const direction = callDirection(value.CallType);
  const recordId = optionalString(value, "WhoId", "value.WhoId") || optionalString(value, "WhatId", "value.WhatId") || undefined;
  return { kind: "create", activity: { ...fields, subject: fields.subject, ...(direction ? { direction } : {}) }, recordId };
}

function taskFields(value: Args): Partial<ActivityRequest> {
  const subject = optionalString(value, "Subject", "value.Subject");
  const notes = optionalString(value, "Description", "value.Description");
  const disposition = optionalString(value, "CallDisposition", "value.CallDisposition");
  const conversationId = optionalString(value, "CallObject", "value.CallObject");
  const durationSeconds = optionalNumber(value, "CallDurationInSeconds", "value.CallDurationInSeconds");
  if (durationSeconds !== undefined && durationSeconds < 0) invalidParam("value.CallDurationInSeconds", "A number of seconds (0 or more)", "negative");
  return {
    ...(subject?.trim() ? { subject: subject.trim() } : {}),
    ...(notes ? { notes } : {}),
    ...(disposition ? { disposition } : {}),
    ...(conversationId ? { conversationId } : {}),
    ...(durationSeconds !== undefined ? { durationSeconds: Math.round(durationSeconds) } : {}),
  };
}

function callDirection(callType: unknown): "inbound" | "outbound" | undefined {
  if (callType === undefined || callType === null) return undefined;
  const text = typeof callType === "string" ? callType.toLowerCase() : undefined;
  if (text === "inbound" || text === "outbound") return text;
  return failWith("INVALID_PARAM", `An invalid value was passed to the parameter value.CallType. Inbound or Outbound was expected (WebCTI's activities have no internal calls), but ${String(callType)} was found instead.`, {
    parameter: "value.CallType",
  });
}

export async function runSaveLog(host: OpenCtiHost, plan: SaveLogPlan, records: KnownRecords): Promise<{ recordId: string }> {
  if (plan.kind === "update") {
    if (!host.capabilities.includes("activities.update") || typeof host.updateActivity !== "function") {
      return failWith("GENERIC_ERROR", "This WebCTI agent desktop cannot update a logged activity (no activities.update capability): saveLog with value.Id is not available.");
    }
    const updated = await host.updateActivity({ ...plan.fields, activityId: plan.activityId });
    return { recordId: updated.activityId };
  }
  const record = plan.recordId ? await records.resolve(host, plan.recordId, "value.WhoId") : undefined;
  const logged = await host.logActivity({ ...plan.activity, ...(record ? { record: { type: record.type, id: record.id } } : {}) });
  return { recordId: logged.activityId };
}
