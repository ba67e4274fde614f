import { VerificationStatus, VerificationStatusRequest } from '../../domain/schemas/verification';
import { toVerificationStatus, type VerificationSessionRepository } from '../../store/verification-sessions';
import type { ApiMiddleware } from '../context';
import { timed } from '../server-timing';
import { validatedBody } from '../middleware/validate-body';
import type { ProtocolRoute } from './route';
import { findTenantSession } from './session-lookup';

/**
 * Reads the MongoDB projection the workflow maintains, so it answers even while Temporal is
 * unreachable.
 */
function readStatus(sessions: VerificationSessionRepository): ApiMiddleware {
  return async (ctx) => {
    ctx.body = toVerificationStatus(await timed(ctx, 'session', () => findTenantSession(ctx, sessions, validatedBody(ctx, VerificationStatusRequest))));
  };
}

export const verificationStatusRoute: ProtocolRoute<{ sessions: VerificationSessionRepository }> = {
  method: 'POST',
  path: '/verification/status',
  summary: 'Current status of a verification (S2S §Get Verification Status)',
  requestSchema: VerificationStatusRequest,
  responseSchema: VerificationStatus,
  effects: 'read',
  steps: (deps) => [readStatus(deps.sessions)],
};
