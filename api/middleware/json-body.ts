import { bodyParser } from '@koa/bodyparser';
import { problems } from '../../domain/problems';
import type { ApiMiddleware } from '../context';

/**
 * S2S §Transport: bodies are application/json. Refuses other media types (415), bodies over
 * the limit (413, checked against Content-Length before reading when it is sent) and
 * malformed JSON (400), each as Problem Details.
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
    await next();
  };
}
