import { problems } from '../../domain/problems';
import type { VerificationSession, VerificationSessionRepository } from '../../store/verification-sessions';
import type { ApiContext } from '../context';

/** The tenant's session named by sessionId + verificationId; another tenant's is "not found" too. */
export async function findTenantSession(
  ctx: ApiContext,
  sessions: VerificationSessionRepository,
  ids: { sessionId: string; verificationId: string },
): Promise<VerificationSession> {
  const session = await sessions.find({ tenantId: ctx.state.tenant._id, sessionId: ids.sessionId }, ids.verificationId);
  if (!session) throw problems.sessionNotFound();
  return session;
}
