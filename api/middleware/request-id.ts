import { problems } from '../../domain/problems';
import { uuidPattern } from '../../domain/schemas/common';
import type { ApiMiddleware } from '../context';

/** S2S §Idempotency: every request carries an x-request-id UUID; it is echoed on the response. */
export const requireRequestId: ApiMiddleware = async (ctx, next) => {
  const requestId = ctx.get('x-request-id');
  if (!requestId) throw problems.invalidRequestId('The x-request-id header is required (S2S §Idempotency)');
  if (!uuidPattern.test(requestId)) throw problems.invalidRequestId('x-request-id must be a UUID');
  ctx.state.requestId = requestId.toLowerCase();
  ctx.set('x-request-id', requestId);
  await next();
};
