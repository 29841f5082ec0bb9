import {
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  context,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
} from "@opentelemetry/api";

/**
 * Spans through `@opentelemetry/api` only: with no tracer provider registered (WEBCTI_TELEMETRY=off, the
 * default) every call here is a no-op. shared/telemetry/setup.ts registers one (Application Insights, or
 * the console). One screen pop is one trace: the partner's request span, its look-up / event store / push /
 * pop store children, and the agent's ack request, whose `traceparent` header names the push span.
 */
const tracer = trace.getTracer("webcti");

/** Attribute names WebCTI puts on spans (searchable in Application Insights as custom dimensions). */
export const attr = {
  tenantId: "webcti.tenant_id",
  providerId: "webcti.provider_id",
  agentId: "webcti.agent_id",
  conversationId: "webcti.conversation_id",
  eventId: "webcti.event_id",
  popId: "webcti.pop_id",
  errorCode: "webcti.error_code",
} as const;

/**
 * Runs `work` in a child span of the active one. The span ends when the work settles; a thrown error is
 * recorded on it (and rethrown).
 */
export function withSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>, options: { kind?: SpanKind; parent?: Context } = {}): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Adds attributes to the active span (no-op without one). */
export function annotate(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The W3C `traceparent` of the active span, or undefined when nothing is traced (telemetry off).
 * See https://www.w3.org/TR/trace-context/#traceparent-header.
 */
export function currentTraceparent(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, "0");
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** Parses a `traceparent` (version 00); undefined for anything malformed or all-zero. */
export function parseTraceparent(value: string | null | undefined): SpanContext | undefined {
  const match = value ? traceparentPattern.exec(value.trim()) : null;
  if (!match) return undefined;
  const spanContext: SpanContext = {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: parseInt(match[3] as string, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * Links the active span to another trace's span (a pop's ack to the event that made the pop, when the ack
 * did not come with that trace's `traceparent`). Nothing happens when it is already in that trace.
 */
export function linkToTraceparent(value: string | undefined): void {
  const target = parseTraceparent(value);
  const span = trace.getActiveSpan();
  if (!target || !span || span.spanContext().traceId === target.traceId) return;
  span.addLink({ context: target, attributes: { "webcti.link": "screen_pop_event" } });
}

/**
 * The context a request's span continues. The caller's `traceparent` header decides the trace (the agent's
 * ack names its pop's push span); the Functions host's invocation trace context is preferred when it is in
 * that same trace (or when the caller sent none), so the span also sits under the host's request telemetry.
 */
export function requestParent(callerTraceparent: string | null | undefined, hostTraceparent?: string | null): Context {
  const fromCaller = parseTraceparent(callerTraceparent);
  const fromHost = parseTraceparent(hostTraceparent);
  const parent = fromHost && (!fromCaller || fromHost.traceId === fromCaller.traceId) ? fromHost : fromCaller;
  return parent ? trace.setSpanContext(context.active(), parent) : context.active();
}

export { SpanKind };
