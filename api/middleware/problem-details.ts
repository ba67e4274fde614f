import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { currentApiVersion, supportedApiVersions } from '../../domain/api-version';
import { problems, ProblemError } from '../../domain/problems';
import type { ApiContext, ApiMiddleware } from '../context';
import { issuerMetrics, problemLabel } from '../../observability/metrics';

export interface RenderedProblem {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The one renderer of RFC 9457 bodies; also used to store problem responses for replay. */
export function renderProblem(problem: ProblemError, instance: string): RenderedProblem {
  return { status: problem.status, headers: problem.headers, body: JSON.stringify(problem.toBody(instance)) };
}

export function toProblem(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  return problems.internal(error);
}

/** The Problem Details type of the answer (a replayed one included), for the metrics' label. */
function answeredProblemType(ctx: ApiContext): string | undefined {
  if (ctx.type !== 'application/problem+json' || typeof ctx.body !== 'string') return undefined;
  try {
    const { type } = JSON.parse(ctx.body) as { type?: unknown };
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

export function sendProblem(ctx: ApiContext, rendered: RenderedProblem): void {
  ctx.status = rendered.status;
  ctx.set(rendered.headers);
  ctx.type = 'application/problem+json';
  ctx.body = rendered.body;
}

/**
 * The route's template when a route matched (`/content/:id`), else the path: a path parameter
 * such as a download id is a capability and stays out of the log.
 */
function loggedPath(ctx: ApiContext): string {
  return matchedRoute(ctx) ?? ctx.path;
}

function matchedRoute(ctx: ApiContext): string | undefined {
  const matched = (ctx as ApiContext & { _matchedRoute?: unknown })._matchedRoute;
  return typeof matched === 'string' ? matched : undefined;
}

/** The route label of a request's metrics: the template, or one value for every path no route matched (bounded). */
function metricRoute(ctx: ApiContext): string {
  if (ctx.path === '/healthz' || ctx.path === '/readyz') return ctx.path;
  return matchedRoute(ctx) ?? 'unmatched';
}

/**
 * Outermost middleware: every error becomes Problem Details, never a stack trace; every
 * response (errors, metadata and the OpenAPI document included) carries Api-Version (S2S §API
 * Versioning: REQUIRED on responses) and Api-Supported-Versions (profile §API versions).
 */
export function renderProblems(logger: Logger, listener = 'api'): ApiMiddleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw problems.notFound();
    } catch (error) {
      const problem = toProblem(error);
      const instance = `urn:uuid:${randomUUID()}`;
      if (problem.status >= 500) {
        // The cause is logged for operators, with the instance that the client also sees.
        logger.error({ err: (problem.cause ?? problem) as Error, instance, path: loggedPath(ctx) }, 'request failed');
      }
      sendProblem(ctx, renderProblem(problem, instance));
    } finally {
      ctx.set('Api-Version', ctx.state.apiVersion ?? currentApiVersion);
      ctx.set('Api-Supported-Versions', supportedApiVersions.join(', '));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = metricRoute(ctx);
      issuerMetrics.httpRequests.inc({ listener, method: ctx.method, route, status: String(ctx.status), problem: problemLabel(answeredProblemType(ctx)) });
      issuerMetrics.httpDuration.observe({ listener, method: ctx.method, route }, seconds);
      // Identifiers only: bodies may hold personal data and are never logged.
      logger.info(
        {
          method: ctx.method,
          path: loggedPath(ctx),
          status: ctx.status,
          tenantId: ctx.state.tenant?._id,
          ...(ctx.state.actor ? { actorId: ctx.state.actor.id, actorRole: ctx.state.actor.role } : {}),
          requestId: ctx.state.requestId,
          ms: seconds * 1000,
        },
        'request',
      );
    }
  };
}
