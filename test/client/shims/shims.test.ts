import { describe, expect, it } from "vitest";
import { Buffer as ShimBuffer } from "../../../client/shims/buffer.js";
import ShimEmitter from "../../../client/shims/events.js";

/** The browser bundle replaces Node's buffer and events with these; they must agree with Node's on what the Web PubSub client uses. */
describe("buffer shim", () => {
  const samples = [new Uint8Array([]), new Uint8Array([0, 1, 2, 250, 255]), new TextEncoder().encode("héllo wörld, ☎")];
  it.each(samples.map((s) => [s.length, s] as const))("base64-encodes %i bytes as Node does", (_n, bytes) => {
    const copy = bytes.slice().buffer;
    expect(ShimBuffer.from(copy).toString("base64")).toBe(Buffer.from(copy).toString("base64"));
  });
  it("decodes base64 into the same bytes as Node", () => {
    for (const bytes of samples) {
      const b64 = Buffer.from(bytes).toString("base64");
      const decoded = ShimBuffer.from(b64, "base64");
      expect([...new Uint8Array(decoded.buffer.slice(decoded.byteOffset, decoded.byteOffset + decoded.byteLength))]).toEqual([...bytes]);
    }
  });
  it("concatenates fragments", () => {
    expect([...ShimBuffer.concat([new Uint8Array([1, 2]), new Uint8Array([]), new Uint8Array([3])])]).toEqual([1, 2, 3]);
  });
});

describe("events shim", () => {
  it("calls listeners in order with the arguments and stops after removeListener", () => {
    const emitter = new ShimEmitter();
    const calls: string[] = [];
    const a = (x: unknown) => calls.push(`a${x}`);
    const b = (x: unknown) => calls.push(`b${x}`);
    emitter.on("e", a).on("e", b);
    expect(emitter.emit("e", 1)).toBe(true);
    emitter.removeListener("e", a);
    emitter.emit("e", 2);
    expect(emitter.emit("other")).toBe(false);
    expect(calls).toEqual(["a1", "b1", "b2"]);
  });
  it("lets a listener remove itself while the event is being emitted", () => {
    const emitter = new ShimEmitter();
    const calls: string[] = [];
    const once = () => {
      calls.push("once");
      emitter.removeListener("e", once);
    };
    emitter.on("e", once).on("e", () => calls.push("always"));
    emitter.emit("e");
    emitter.emit("e");
    expect(calls).toEqual(["once", "always", "always"]);
  });
});
