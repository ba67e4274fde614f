import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type Koa from 'koa';

/**
 * OpenTelemetry traces (profile: Operations): from the HTTP request through the workflow and its
 * activities to the calls to Wallet Servers. Exported by OTLP/HTTP when an endpoint is configured
 * (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces); without one
 * nothing is set up and every span is OpenTelemetry's no-op. Our spans carry routes, states,
 * tenant ids and outcomes; the Temporal interceptors add the workflow's id (tenant, session and
 * verification ids, as the Temporal UI shows them), so a trace leads to its workflow. Never a
 * request body or personal data.
 */
export interface Tracing {
  /** Where finished spans go (also the Temporal workflow spans, through the worker's sink). */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

export const tracerName = 's2s-issuer';
const tracer = (): Tracer => trace.getTracer(tracerName);

/**
 * Registers the process's tracer provider: with the OTLP exporter at `otlpEndpoint`, or with
 * `spanProcessor` (tests). Returns undefined, registering nothing, when neither is given.
 */
export function startTracing(options: { serviceName: string; otlpEndpoint?: string; spanProcessor?: SpanProcessor }): Tracing | undefined {
  const spanProcessor =
    options.spanProcessor ?? (options.otlpEndpoint ? new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpEndpoint })) : undefined);
  if (!spanProcessor) return undefined;
  const resource = new Resource({ 'service.name': options.serviceName });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Also the AsyncLocalStorage context manager: a request's span stays current across awaits.
  provider.register();
  return { spanProcessor, resource, shutdown: () => provider.shutdown() };
}

/**
 * A SERVER span per request, current while the request runs (so a workflow started or updated
 * from it continues its trace), named by the route template once the router matched one.
 */
export function traceRequests(listener: string): Koa.Middleware {
  return async (ctx, next) => {
    const span = tracer().startSpan(`${ctx.method} ${listener}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': ctx.method } });
    try {
      await context.with(trace.setSpan(context.active(), span), next);
    } finally {
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      if (typeof route === 'string') {
        span.updateName(`${ctx.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', ctx.status);
      const tenantId = (ctx.state as { tenant?: { _id?: string } }).tenant?._id;
      if (tenantId) span.setAttribute('s2s.tenant_id', tenantId);
      if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}

/** Runs `work` in a CLIENT span (a call to a Wallet Server); `outcome` names how it ended. */
export async function tracedCall<T>(name: string, attributes: Record<string, string>, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await work(span);
    } finally {
      span.end();
    }
  });
}
