import { describe, expect, it } from "vitest";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { generateWebhookSecret, signatureHeaders } from "../../../shared/webhooks/signing.js";

/**
 * The reference vector of the Standard Webhooks JavaScript library: standard-webhooks/standard-webhooks,
 * libraries/javascript/src/webhook.test.ts, test "sign function works".
 */
const vector = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  msgId: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: new Date(1614265330 * 1000),
  payload: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

describe("webhook signatures", () => {
  it("match the Standard Webhooks reference vector", () => {
    expect(signatureHeaders([vector.secret], vector.msgId, vector.timestamp, vector.payload)).toEqual({
      "webhook-id": vector.msgId,
      "webhook-timestamp": "1614265330",
      "webhook-signature": vector.signature,
    });
  });

  it("make secrets in the whsec_ format with a 32-byte key", () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it("are accepted by the package's verify()", () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ type: "presence.changed", timestamp: new Date().toISOString(), data: { agentId: "a1" } });
    const headers = signatureHeaders([secret], "msg_test", new Date(), body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow(WebhookVerificationError);
  });

  it("carry both signatures during a rotation, each verifying with its secret", () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const body = '{"type":"clickToAct.requested"}';
    const headers = signatureHeaders([current, previous], "msg_rotating", new Date(), body);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
  });
});
