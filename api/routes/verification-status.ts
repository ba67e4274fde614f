import { problems } from '../../domain/problems';
import { VerificationStatusRequest } from '../../domain/schemas/verification';
import { toVerificationStatus, type VerificationSessionRepository } from '../../store/verification-sessions';
import type { ApiMiddleware } from '../context';
import { validateBody, validatedBody } from '../middleware/validate-body';

/**
 * POST /verification/status (S2S §Get Verification Status). Reads the MongoDB projection the
 * workflow maintains, so it answers even while Temporal is unreachable.
 */
export function verificationStatusRoute(deps: { sessions: VerificationSessionRepository }): ApiMiddleware[] {
  const readStatus: ApiMiddleware = async (ctx) => {
    const { sessionId, verificationId } = validatedBody(ctx, VerificationStatusRequest);
    const session = await deps.sessions.find({ tenantId: ctx.state.tenant._id, sessionId }, verificationId);
    if (!session) throw problems.sessionNotFound();
    ctx.body = toVerificationStatus(session);
  };
  return [validateBody(VerificationStatusRequest), readStatus];
}
