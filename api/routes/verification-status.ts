import { VerificationStatusRequest } from '../../domain/schemas/verification';
import { toVerificationStatus, type VerificationSessionRepository } from '../../store/verification-sessions';
import type { ApiMiddleware } from '../context';
import { validateBody, validatedBody } from '../middleware/validate-body';
import { findTenantSession } from './session-lookup';

/**
 * POST /verification/status (S2S §Get Verification Status). Reads the MongoDB projection the
 * workflow maintains, so it answers even while Temporal is unreachable.
 */
export function verificationStatusRoute(deps: { sessions: VerificationSessionRepository }): ApiMiddleware[] {
  const readStatus: ApiMiddleware = async (ctx) => {
    ctx.body = toVerificationStatus(await findTenantSession(ctx, deps.sessions, validatedBody(ctx, VerificationStatusRequest)));
  };
  return [validateBody(VerificationStatusRequest), readStatus];
}
