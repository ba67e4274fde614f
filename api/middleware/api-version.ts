import { negotiateApiVersion, supportedApiVersions } from '../../domain/api-version';
import { problems } from '../../domain/problems';
import type { ApiMiddleware } from '../context';

/**
 * S2S §API Versioning: Api-Version is required on protocol requests. Both response headers are
 * set on every response by renderProblems (api/middleware/problem-details.ts).
 */
export const requireApiVersion: ApiMiddleware = async (ctx, next) => {
  const negotiated = negotiateApiVersion(ctx.get('Api-Version') || undefined);
  if (!negotiated.ok) throw problems.unsupportedApiVersion(negotiated.reason, supportedApiVersions);
  ctx.state.apiVersion = negotiated.version;
  await next();
};
