import { createHash } from 'node:crypto';
import { problems } from '../../domain/problems';
import type { IdempotencyRepository } from '../../store/idempotency';
import type { ApiContext, ApiMiddleware } from '../context';
import { renderProblem, sendProblem, toProblem } from './problem-details';

/** JSON with object keys sorted, so the same request in another key order is the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function requestFingerprint(ctx: ApiContext): string {
  return createHash('sha256').update(`${ctx.method} ${ctx.path}\n${canonicalJson(ctx.request.body)}`).digest('base64url');
}

/**
 * S2S §Idempotency: "Duplicate requests with the same value MUST return the original response
 * without re-executing the operation." Scoped per tenant. A duplicate that arrives while the
 * original still runs waits for it (bounded) and then gets its response; the same id with a
 * different request is refused (422). Client errors are stored and replayed like successes;
 * server errors release the id so that a retry executes.
 */
export function idempotent(records: IdempotencyRepository, concurrentWaitMs: number): ApiMiddleware {
  return async (ctx, next) => {
    const key = { tenantId: ctx.state.tenant._id, requestId: ctx.state.requestId };
    const fingerprint = requestFingerprint(ctx);
    let claim = await records.claim(key, fingerprint);
    if (claim.outcome === 'in_progress') claim = await records.awaitCompletion(key, fingerprint, concurrentWaitMs);

    switch (claim.outcome) {
      case 'fingerprint_mismatch':
        throw problems.requestIdReused();
      case 'in_progress':
        throw problems.requestInProgress();
      case 'replay':
        ctx.status = claim.response.status;
        ctx.type = claim.response.contentType;
        ctx.body = claim.response.body;
        ctx.set('Idempotent-Replayed', 'true');
        return;
      case 'claimed':
        break;
    }

    try {
      await next();
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status >= 500) {
        await records.abandon(key);
        throw problem;
      }
      const rendered = renderProblem(problem, `urn:uuid:${ctx.state.requestId}`);
      await records.complete(key, { status: rendered.status, contentType: 'application/problem+json', body: rendered.body });
      sendProblem(ctx, rendered);
      return;
    }
    const body = typeof ctx.body === 'string' ? ctx.body : JSON.stringify(ctx.body);
    ctx.body = body;
    await records.complete(key, { status: ctx.status, contentType: ctx.response.type || 'application/json', body });
  };
}
