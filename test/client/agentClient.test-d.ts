import { expectTypeOf, test } from "vitest";
import type { WebPubSubClientOptions } from "@azure/web-pubsub-client";
import type { AgentClientOptions } from "../../client/agent/index.js";

/** The npm package's types need no @azure/web-pubsub-client: the retry options are written out, held equal here. */
test("the Web PubSub retry options are the SDK's", () => {
  expectTypeOf<NonNullable<AgentClientOptions["webPubSub"]>>().toEqualTypeOf<Pick<WebPubSubClientOptions, "reconnectRetryOptions" | "messageRetryOptions">>();
});
