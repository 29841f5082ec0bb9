import { describe, expectTypeOf, test } from "vitest";
import type { z } from "zod";
import type {
  ActivityDurations as ActivityDurationsSchema,
  ActivityInput,
  Activity,
  ActivityRecordRef,
} from "../../shared/schemas/activity.js";
import type { DirectoryRecord, DirectoryRecordInput, RecordMatch } from "../../shared/schemas/directory.js";
import type { Channel as ChannelSchema, ConversationEventType as ConversationEventTypeSchema, EventAccepted, KnownConversationEvent } from "../../shared/schemas/conversationEvent.js";
import type { CustomerRef } from "../../shared/schemas/customer.js";
import type { AgentPanel, PanelMode as PanelModeSchema } from "../../shared/schemas/panel.js";
import type { AgentPresenceInput, Presence as PresenceSchema } from "../../shared/schemas/presence.js";
import type { PopTarget } from "../../shared/schemas/screenPop.js";
import type { channels } from "../../shared/schemas/channels.js";
import type { WebCtiErrorCode } from "../../shared/errors.js";
import type { ClickToActInput, DeliverySummary } from "../../shared/webhooks/schemas.js";
import type {
  ActivityDurations,
  ActivityRequest,
  Channel,
  ClickToActPayload,
  ConversationEventAccepted,
  ConversationEventReport,
  ConversationEventType,
  CrmRecord,
  Environment,
  LoggedActivity,
  Presence,
  PresenceRequest,
  PanelMode,
  RecordFields,
  RecordRef,
  ScreenPopResult,
  WidgetErrorCode,
} from "../../client/protocol.js";
import type { ClickToActDelivery, ClickToActRequest } from "../../client/agent/agentApi.js";
import type { ClickTarget } from "../../client/agent/clickToAct.js";
import type { widgetCodeForApiCode } from "../../client/agent/widgetCodeForApiCode.js";

/**
 * client/protocol.ts is free of zod (the widget SDK bundles it, its npm package ships its declarations),
 * so its wire types are written out; here each is held equal to the schema it mirrors. Vitest type-checks
 * this file (`typecheck` in vitest.config.ts, with test/client/tsconfig.json): a drift fails the run.
 */
describe("widget wire types equal their schemas", () => {
  test("a logged activity is the stored Activity", () => {
    expectTypeOf<LoggedActivity>().toEqualTypeOf<z.infer<typeof Activity>>();
    expectTypeOf<ActivityDurations>().toEqualTypeOf<z.infer<typeof ActivityDurationsSchema>>();
  });

  test("an activity request is ActivityInput without the provider (the host's) and with any record reference", () => {
    expectTypeOf<Omit<ActivityRequest, "record">>().toEqualTypeOf<Omit<z.input<typeof ActivityInput>, "providerId" | "record">>();
    expectTypeOf<Omit<RecordRef, "name">>().toEqualTypeOf<z.infer<typeof ActivityRecordRef>>();
  });

  test("records as the directory reads and writes them", () => {
    expectTypeOf<CrmRecord>().toEqualTypeOf<z.infer<typeof DirectoryRecord>>();
    expectTypeOf<RecordFields>().toEqualTypeOf<z.input<typeof DirectoryRecordInput>>();
    expectTypeOf<z.infer<typeof RecordMatch>>().toExtend<RecordRef>();
  });

  test("channels, panel modes and what a screen pop opens", () => {
    expectTypeOf<Channel>().toEqualTypeOf<z.infer<typeof ChannelSchema>>();
    expectTypeOf<Channel>().toEqualTypeOf<(typeof channels)[number]>();
    expectTypeOf<PanelMode>().toEqualTypeOf<z.infer<typeof PanelModeSchema>>();
    // A widget's screen pop opens what the policy picks; `lookup` (the CRM page looks the caller up) is the host's to resolve.
    expectTypeOf<NonNullable<ScreenPopResult["opened"]>>().toEqualTypeOf<Exclude<PopTarget["kind"], "lookup">>();
  });

  test("protocol 1.1: the provider's settings, the agent's presence", () => {
    expectTypeOf<NonNullable<Environment["settings"]>>().toEqualTypeOf<AgentPanel["settings"]>();
    expectTypeOf<Presence>().toEqualTypeOf<z.infer<typeof PresenceSchema>>();
    expectTypeOf<PresenceRequest>().toEqualTypeOf<z.input<typeof AgentPresenceInput>>();
  });

  test("protocol 1.3: conversation events as the partner API takes them and answers", () => {
    expectTypeOf<ConversationEventType>().toEqualTypeOf<ConversationEventTypeSchema>();
    expectTypeOf<ConversationEventAccepted>().toEqualTypeOf<z.infer<typeof EventAccepted>>();
    expectTypeOf<NonNullable<ConversationEventReport["customer"]>>().toEqualTypeOf<z.input<typeof CustomerRef>>();
    // Every known event a partner may send is a report a widget may send.
    expectTypeOf<z.input<typeof KnownConversationEvent>>().toExtend<ConversationEventReport>();
  });

  test("click-to-act: what the page sends and what a widget gets", () => {
    expectTypeOf<ClickToActRequest>().toEqualTypeOf<z.input<typeof ClickToActInput>>();
    expectTypeOf<ClickTarget["kind"]>().toEqualTypeOf<ClickToActInput["kind"]>();
    expectTypeOf<ClickToActPayload["format"]>().toEqualTypeOf<ClickToActInput["kind"]>();
    // The webhook names directory records only; a page's record may be any of the CRM's types.
    expectTypeOf<NonNullable<ClickToActInput["record"]>>().toExtend<Pick<NonNullable<ClickToActPayload["record"]>, "type" | "id">>();
    expectTypeOf<ClickToActDelivery>().toEqualTypeOf<Pick<DeliverySummary, "deliveryId" | "status">>();
  });
});

describe("error codes", () => {
  test("the table maps every API code, and only API codes, to a widget code", () => {
    expectTypeOf<keyof typeof widgetCodeForApiCode>().toEqualTypeOf<WebCtiErrorCode>();
    expectTypeOf<(typeof widgetCodeForApiCode)[WebCtiErrorCode]>().toExtend<WidgetErrorCode>();
  });
});
