import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { canonicalJson } from '../../domain/canonical-json';
import { problems } from '../../domain/problems';
import type { IdempotencyKey, IdempotencyRepository, RequestIdentity, StoredResponse } from '../../store/idempotency';
import type { ApiContext, ApiMiddleware } from '../context';
import { neverCrash, type CrashAfter } from '../fault-injection';
import { renderProblem, toProblem } from './problem-details';

/** Profile §3: what makes two requests with one x-request-id the same request. */
export function requestFingerprint(request: { method: string; path: string; body: unknown }): string {
  return createHash('sha256')
    .update(`${request.method} ${request.path}\n${canonicalJson(request.body)}`)
    .digest('base64url');
}

function answerWith(ctx: ApiContext, response: StoredResponse, options: { replayed: boolean }): void {
  ctx.status = response.status;
  ctx.type = response.contentType;
  ctx.body = response.body;
  if (options.replayed) ctx.set('Idempotent-Replayed', 'true');
}

/** The sessionId a request concerns (recorded for reconciliation), if the body names a plausible one. */
function sessionIdOf(body: unknown): string | undefined {
  const sessionId = (body as { sessionId?: unknown } | null | undefined)?.sessionId;
  return typeof sessionId === 'string' && sessionId.length <= 64 ? sessionId : undefined;
}

/** The request's idempotency key and identity (and its fingerprint, for the handlers). */
function identify(ctx: ApiContext): { key: IdempotencyKey; request: RequestIdentity } {
  const fingerprint = requestFingerprint({ method: ctx.method, path: ctx.path, body: ctx.request.body });
  ctx.state.requestFingerprint = fingerprint;
  const sessionId = sessionIdOf(ctx.request.body);
  return {
    key: { tenantId: ctx.state.tenant._id, requestId: ctx.state.requestId },
    request: { fingerprint, path: ctx.path, ...(sessionId ? { sessionId } : {}) },
  };
}

/**
 * Runs the endpoint and captures its answer as it is stored for replay: a client error becomes
 * its Problem response (its headers set on the response); a server error is thrown, never stored,
 * and so is a 429 (profile §Quotas): S2S §Rate Limiting tells the client to retry after
 * Retry-After, and that retry must execute, not replay the refusal.
 */
async function executeToResponse(ctx: ApiContext, next: () => Promise<void>): Promise<StoredResponse> {
  try {
    await next();
  } catch (error) {
    const problem = toProblem(error);
    if (problem.status >= 500 || problem.status === 429) throw problem;
    const rendered = renderProblem(problem, `urn:uuid:${ctx.state.requestId}`);
    ctx.set(rendered.headers);
    return { status: rendered.status, contentType: 'application/problem+json', body: rendered.body };
  }
  const body = typeof ctx.body === 'string' ? ctx.body : JSON.stringify(ctx.body);
  return { status: ctx.status, contentType: ctx.response.type || 'application/json', body };
}

export interface IdempotencyOptions {
  /** How long a duplicate waits for the original before it gets 409. */
  concurrentWaitMs: number;
  logger: Logger;
  crashAfter?: CrashAfter;
}

/**
 * S2S §Idempotency: "Duplicate requests with the same value MUST return the original response
 * without re-executing the operation." Scoped per tenant. A duplicate that arrives while the
 * original still runs waits for it (bounded) and then gets its response; the same id with a
 * different request is refused (422). Client errors are stored and replayed like successes;
 * server errors are not stored, so a retry executes again.
 *
 * The executing request holds a lease that it renews while it runs. If its process dies, the
 * lease lapses and a retry with the same id and request takes the execution over and finishes
 * it; every effect of a handler is therefore written to be safe to run again (profile §3).
 */
export function idempotent(records: IdempotencyRepository, options: IdempotencyOptions): ApiMiddleware {
  const crash = options.crashAfter ?? neverCrash;
  return async (ctx, next) => {
    const { key, request } = identify(ctx);
    let claim = await records.claim(key, request);
    if (claim.outcome === 'in_progress') claim = await records.awaitCompletion(key, request.fingerprint, options.concurrentWaitMs);

    switch (claim.outcome) {
      case 'fingerprint_mismatch':
        throw problems.requestIdReused();
      case 'in_progress':
        throw problems.requestInProgress();
      case 'replay':
        answerWith(ctx, claim.response, { replayed: true });
        return;
      case 'claimed':
        if (claim.generation > 0)
          options.logger.info({ tenantId: key.tenantId, requestId: key.requestId, generation: claim.generation }, 'request taken over after its lease lapsed');
        break;
    }

    // On FerretDB an update is a read-modify-write of the whole record, so a renewal still in
    // flight could write back the record as it was before complete(): wait for it first.
    let renewing: Promise<void> = Promise.resolve();
    const renewal = setInterval(
      () => {
        renewing = renewing
          .then(() => records.renew(key))
          .catch((error: unknown) => options.logger.warn({ err: error, requestId: key.requestId }, 'idempotency lease renewal failed'));
      },
      Math.max(100, Math.floor(records.leaseMs / 3)),
    );
    const stopRenewing = async () => {
      clearInterval(renewal);
      await renewing;
    };
    let response: StoredResponse;
    try {
      response = await executeToResponse(ctx, next);
    } catch (error) {
      await stopRenewing();
      await records.release(key);
      throw error;
    }
    await stopRenewing();
    crash('response.before-stored');
    await records.complete(key, response);
    answerWith(ctx, response, { replayed: false });
  };
}

/**
 * S2S §Idempotency for an endpoint without effects (/verification/status): executing it again
 * changes nothing, so it runs first and its response is stored with one insert afterwards; a
 * repeat of the request gets whichever response was stored first, i.e. the original one. Saves
 * the claim write that endpoints with effects need.
 */
export function idempotentRead(records: IdempotencyRepository): ApiMiddleware {
  return async (ctx, next) => {
    const { key, request } = identify(ctx);
    const response = await executeToResponse(ctx, next);
    const stored = await records.storeReadResponse(key, request, response);
    if (stored.outcome === 'fingerprint_mismatch') throw problems.requestIdReused();
    if (stored.outcome === 'in_progress') throw problems.requestInProgress();
    answerWith(ctx, stored.outcome === 'replay' ? stored.response : response, { replayed: stored.outcome === 'replay' });
  };
}
