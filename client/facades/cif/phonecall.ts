import type { ActivityRequest, LoggedActivity } from "../../widget/index.js";
import type { ActivityChange } from "./cifHost.js";
import { cifError } from "./cifError.js";
import { parseBinding, type Attributes } from "./dataverseRecord.js";

/**
 * A Dataverse `phonecall` as CIF's createRecord sends it, as a WebCTI activity on a record's timeline
 * (the host's logActivity): subject, description (notes), phonenumber (from, or to when outgoing),
 * directioncode (true: outgoing), actualdurationminutes, actualstart / actualend, activityid (a resend
 * with the same id and content is stored once), and the record it is about,
 * `regardingobjectid_contact@odata.bind: "/contacts(<id>)"` or `regardingobjectid_account@odata.bind`
 * (without one, the record the agent has open). Any other attribute is refused by name.
 */
const known = new Set([
  "subject",
  "description",
  "phonenumber",
  "directioncode",
  "actualdurationminutes",
  "actualstart",
  "actualend",
  "activityid",
  "regardingobjectid_contact@odata.bind",
  "regardingobjectid_account@odata.bind",
]);

export function activityFromPhonecall(apiName: string, attributes: Attributes): ActivityRequest {
  const unknown = Object.keys(attributes).filter((key) => !known.has(key));
  if (unknown.length) throw cifError(apiName, `${apiName}: WebCTI's phonecall has no attribute ${unknown.join(", ")} (it keeps ${[...known].join(", ")}).`, "invalid_argument");
  const bad = (key: string, what: string): never => {
    throw cifError(apiName, `${apiName}: attribute '${key}' must be ${what}.`, "invalid_argument");
  };
  const text = (key: string): string | undefined => {
    const value = attributes[key];
    if (value === undefined || value === null) return undefined;
    return typeof value === "string" ? value : bad(key, "a string");
  };
  const subject = text("subject")?.trim() || bad("subject", "a non-empty string");
  const direction = attributes.directioncode === undefined ? "inbound" : attributes.directioncode === true ? "outbound" : attributes.directioncode === false ? "inbound" : bad("directioncode", "true (outgoing) or false (incoming)");
  const minutes = attributes.actualdurationminutes;
  if (minutes !== undefined && (typeof minutes !== "number" || !Number.isFinite(minutes) || minutes < 0)) bad("actualdurationminutes", "a number of minutes");
  const record = regarding(apiName, attributes);
  const phone = text("phonenumber");
  return {
    subject,
    channel: "voice",
    direction,
    ...(record ? { record } : {}),
    ...(text("description") ? { notes: text("description")! } : {}),
    ...(phone ? (direction === "outbound" ? { to: phone } : { from: phone }) : {}),
    ...(minutes !== undefined ? { durationSeconds: Math.round((minutes as number) * 60) } : {}),
    ...(text("actualstart") ? { startedAt: text("actualstart")! } : {}),
    ...(text("actualend") ? { endedAt: text("actualend")! } : {}),
    ...(text("activityid") ? { activityId: text("activityid")! } : {}),
  };
}

function regarding(apiName: string, attributes: Attributes): { type: "contact" | "account"; id: string } | undefined {
  for (const type of ["contact", "account"] as const) {
    const key = `regardingobjectid_${type}@odata.bind`;
    if (attributes[key] === undefined) continue;
    const binding = parseBinding(attributes[key]);
    if (!binding || binding.set !== `${type}s`) throw cifError(apiName, `${apiName}: '${key}' must be "/${type}s(<id>)".`, "invalid_argument");
    return { type, id: binding.id };
  }
  return undefined;
}

/** The stored activity as the attributes of a phonecall (createRecord's answer). */
export function phonecallAttributes(activity: LoggedActivity): Attributes {
  return {
    id: activity.activityId,
    activityid: activity.activityId,
    subject: activity.subject,
    directioncode: activity.direction === "outbound",
    [`_regardingobjectid_value`]: activity.record.id,
    "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": activity.record.type,
    ...(activity.notes ? { description: activity.notes } : {}),
    ...(activity.direction === "outbound" ? (activity.to ? { phonenumber: activity.to } : {}) : activity.from ? { phonenumber: activity.from } : {}),
    ...(activity.durationSeconds !== undefined ? { actualdurationminutes: Math.round(activity.durationSeconds / 60) } : {}),
    ...(activity.startedAt ? { actualstart: activity.startedAt } : {}),
    ...(activity.endedAt ? { actualend: activity.endedAt } : {}),
    createdon: activity.createdAt,
  };
}

const changeable = new Set(["subject", "description", "actualdurationminutes", "actualstart", "actualend"]);

/**
 * updateRecord("phonecall", id, data): what may change on a logged call (the host's updateActivity):
 * subject, description, actualdurationminutes, actualstart, actualend. Its direction, number and record
 * stay as logged, and are refused by name.
 */
export function activityChangeFromPhonecall(apiName: string, activityId: string, attributes: Attributes): ActivityChange {
  const fixed = Object.keys(attributes).filter((key) => !changeable.has(key));
  if (fixed.length) throw cifError(apiName, `${apiName}: a logged phonecall's ${fixed.join(", ")} cannot change (only ${[...changeable].join(", ")} can).`, "invalid_argument");
  const logged = activityFromPhonecall(apiName, { subject: "unchanged", ...attributes });
  return {
    activityId,
    ...(attributes.subject !== undefined ? { subject: logged.subject } : {}),
    ...(logged.notes !== undefined ? { notes: logged.notes } : {}),
    ...(logged.durationSeconds !== undefined ? { durationSeconds: logged.durationSeconds } : {}),
    ...(logged.startedAt !== undefined ? { startedAt: logged.startedAt } : {}),
    ...(logged.endedAt !== undefined ? { endedAt: logged.endedAt } : {}),
  };
}
