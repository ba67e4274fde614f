import { negotiateApiVersion, supportedApiVersions } from '../../domain/api-version';
import { problems } from '../../domain/problems';
import type { ApiMiddleware } from '../context';

/** S2S §API Versioning: Api-Version is required; Api-Supported-Versions is always advertised. */
export const requireApiVersion: ApiMiddleware = async (ctx, next) => {
  ctx.set('Api-Supported-Versions', supportedApiVersions.join(', '));
  const negotiated = negotiateApiVersion(ctx.get('Api-Version') || undefined);
  if (!negotiated.ok) throw problems.unsupportedApiVersion(negotiated.reason, supportedApiVersions);
  ctx.state.apiVersion = negotiated.version;
  await next();
};
