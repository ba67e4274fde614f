import { bodyParser } from '@koa/bodyparser';
import { problems } from '../../domain/problems';
import type { ApiMiddleware } from '../context';

/** Deepest JSON nesting a request may have: the draft's messages need fewer than 10 levels. */
export const maxJsonDepth = 32;

/** Whether `value` nests deeper than `max` (iterative, so a hostile body cannot exhaust the stack). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(current as Record<string, unknown>)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * S2S §Transport: bodies are application/json. Refuses other media types (415), bodies over
 * the limit (413, checked against Content-Length before reading when it is sent) and
 * malformed JSON (400), each as Problem Details. Nesting is bounded too (400), before anything
 * walks the body (validation, canonical JSON for idempotency).
 */
export function parseJsonBody(limitBytes: number): ApiMiddleware {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: limitBytes, encoding: 'utf-8', jsonStrict: true });
  return async (ctx, next) => {
    if (!ctx.is('application/json')) throw problems.unsupportedMediaType(ctx.get('Content-Type') || undefined);
    try {
      await parse(ctx, async () => undefined);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 413) throw problems.payloadTooLarge(limitBytes);
      if (status === 415) throw problems.unsupportedMediaType(ctx.get('Content-Type') || undefined);
      throw problems.malformedJson();
    }
    if (nestsDeeperThan(ctx.request.body, maxJsonDepth)) {
      throw problems.invalidRequest(`The body nests deeper than ${maxJsonDepth} levels`, [
        { pointer: '', message: `nests deeper than ${maxJsonDepth} levels` },
      ]);
    }
    await next();
  };
}
