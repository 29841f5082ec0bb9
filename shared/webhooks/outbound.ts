import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP } from "node:net";

/**
 * WebCTI's requests to addresses its tenants chose (webhook deliveries, the CRM's look-up endpoint) go
 * through here, so that a URL cannot make WebCTI reach its own network (SSRF): the host name is resolved,
 * every address it resolves to is checked against the loopback, private and reserved ranges, and the
 * connection goes to the address that was checked (no second resolution a DNS answer could change in
 * between). Failures are reported by class only (`OutboundFailure`), never with the socket's own error,
 * so the delivery log cannot be used to scan ports. `allowPrivate` (WEBCTI_WEBHOOKS_ALLOW_HTTP, local
 * development only) lifts the address check.
 */
export type OutboundFailure = "timeout" | "address_refused" | "name_not_resolved" | "connection_failed" | "answer_too_large";

export const outboundFailureText: Record<OutboundFailure, string> = {
  timeout: "no answer in time",
  address_refused: "the host resolves to a loopback, private or reserved address",
  name_not_resolved: "the host name does not resolve",
  connection_failed: "the connection failed (refused, reset or TLS)",
  answer_too_large: "the answer is too large",
};

const privateRanges = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  privateRanges.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 127],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
] as const) {
  privateRanges.addSubnet(network, prefix, "ipv6");
}

/** Whether an IP address (v4 or v6) is loopback, private, link-local, multicast or otherwise reserved. */
export function isPrivateAddress(address: string): boolean {
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is checked as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isPrivateAddress(mapped);
  const family = isIP(address);
  return family !== 0 && privateRanges.check(address, family === 4 ? "ipv4" : "ipv6");
}

class OutboundError extends Error {
  constructor(readonly failure: OutboundFailure) {
    super(outboundFailureText[failure]);
  }
}

/** Every address a host name resolves to, or the failure class. */
async function resolveAll(hostname: string): Promise<LookupAddress[]> {
  if (isIP(hostname)) return [{ address: hostname, family: isIP(hostname) }];
  return new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) => (error || addresses.length === 0 ? reject(new OutboundError("name_not_resolved")) : resolve(addresses))),
  );
}

/** Resolves a URL's host and refuses it when any of its addresses is private (unless `allowPrivate`). */
export async function checkOutboundHost(url: string, allowPrivate: boolean): Promise<OutboundFailure | undefined> {
  try {
    const addresses = await resolveAll(new URL(url).hostname.replace(/^\[|\]$/g, ""));
    if (!allowPrivate && addresses.some((a) => isPrivateAddress(a.address))) return "address_refused";
    return undefined;
  } catch (error) {
    return error instanceof OutboundError ? error.failure : "name_not_resolved";
  }
}

/** A `lookup` for the socket: resolves, checks every address, and hands the socket only checked ones. */
function checkedLookup(allowPrivate: boolean) {
  return (
    hostname: string,
    options: { all?: boolean },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    resolveAll(hostname).then(
      (addresses) => {
        if (!allowPrivate && addresses.some((a) => isPrivateAddress(a.address))) return callback(new OutboundError("address_refused"), "");
        if (options.all) return callback(null, addresses);
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: Error) => callback(error, ""),
    );
  };
}

export interface OutboundPost {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Read the answer's body up to this many bytes (over it: `answer_too_large`); 0: drop it. */
  maxAnswerBytes?: number;
}

export type OutboundResult = { ok: true; status: number; text: string } | { ok: false; failure: OutboundFailure };

/** POSTs to a tenant's URL (no redirects followed), through the checked lookup, within `timeoutMs`. */
export function postOutbound(url: string, post: OutboundPost): Promise<OutboundResult> {
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  const signal = AbortSignal.timeout(post.timeoutMs);
  return new Promise<OutboundResult>((resolve) => {
    const fail = (failure: OutboundFailure) => resolve({ ok: false, failure });
    // A literal address never reaches `lookup`: check it here.
    const literal = target.hostname.replace(/^\[|\]$/g, "");
    if (isIP(literal) && !post.allowPrivate && isPrivateAddress(literal)) return fail("address_refused");
    const outgoing = request(
      target,
      {
        method: "POST",
        headers: { "content-length": Buffer.byteLength(post.body).toString(), ...post.headers },
        lookup: checkedLookup(post.allowPrivate) as never,
        signal,
      },
      (answer) => readAnswer(answer, post.maxAnswerBytes ?? 0).then(resolve, () => fail(signal.aborted ? "timeout" : "connection_failed")),
    );
    outgoing.on("error", (error) => {
      if (signal.aborted) return fail("timeout");
      const cause = error instanceof OutboundError ? error : (error as { cause?: unknown }).cause;
      fail(cause instanceof OutboundError ? cause.failure : "connection_failed");
    });
    outgoing.end(post.body);
  });
}

async function readAnswer(answer: IncomingMessage, maxBytes: number): Promise<OutboundResult> {
  if (maxBytes === 0) {
    answer.destroy(); // only the status counts: do not wait for (or download) the body
    return { ok: true, status: answer.statusCode ?? 0, text: "" };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      answer.destroy();
      return { ok: false, failure: "answer_too_large" };
    }
    chunks.push(chunk);
  }
  return { ok: true, status: answer.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") };
}
