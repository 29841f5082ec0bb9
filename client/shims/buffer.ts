/**
 * The part of Node's Buffer that @azure/web-pubsub-client's browser build uses — base64 for binary
 * messages, concat for fragmented frames — instead of the 25 KB `buffer` polyfill it would pull into
 * the browser client. Aliased for `buffer` in the browser bundle only (scripts/buildClient.mjs).
 */
class Bytes extends Uint8Array {
  override toString(encoding?: string): string {
    if (encoding !== "base64") return new TextDecoder().decode(this);
    let binary = "";
    for (let i = 0; i < this.length; i++) binary += String.fromCharCode(this[i]!);
    return btoa(binary);
  }
}

export const Buffer = {
  from(data: ArrayBuffer | string, encoding?: "base64"): Bytes {
    if (typeof data !== "string") return new Bytes(data);
    if (encoding !== "base64") throw new TypeError("Only base64 strings are supported");
    const binary = atob(data);
    const bytes = new Bytes(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  },
  concat(list: ArrayLike<number>[]): Bytes {
    const out = new Bytes(list.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of list) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  },
};
