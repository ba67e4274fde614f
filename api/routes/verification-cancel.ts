import type { VerificationWorkflows } from '../../clients/temporal/verification-workflows';
import { problems } from '../../domain/problems';
import { CancelVerificationRequest, VerificationReference } from '../../domain/schemas/verification';
import { currentDecision, type VerificationSessionRepository } from '../../store/verification-sessions';
import { VerificationState } from '../../domain/verification-state';
import { ReasonCode } from '../../domain/reason-codes';
import type { ApiMiddleware } from '../context';
import { validatedBody } from '../middleware/validate-body';
import { refusalProblem } from '../refusal-problems';
import type { ProtocolRoute } from './route';
import { findTenantSession } from './session-lookup';

interface CancelDeps {
  sessions: VerificationSessionRepository;
  workflows: VerificationWorkflows;
}

/**
 * Profile §Cancellation: the verification ends as DENIED with reasonCode CANCELLED; cancelling
 * it again answers the same; cancelling a verification that already ended otherwise is refused
 * with 409.
 */
function cancelVerification(deps: CancelDeps): ApiMiddleware {
  return async (ctx) => {
    const body = validatedBody(ctx, CancelVerificationRequest);
    const session = await findTenantSession(ctx, deps.sessions, body);
    // The Update id derives from the request: a retry after a crash is the same cancellation.
    const outcome = await deps.workflows.cancel(session, body.reason, `cancel-${ctx.state.requestId}`).catch((error: unknown) => {
      throw problems.serviceUnavailable('The cancellation could not be delivered; retry later', error);
    });
    if (!outcome.accepted) {
      // A completed workflow that was cancelled earlier: cancelling again is answered the same way.
      const decision = currentDecision(session);
      if (!(decision.status === VerificationState.denied && decision.reasonCode === ReasonCode.cancelled))
        throw refusalProblem(outcome.refusal, decision.status);
    }
    ctx.body = { sessionId: session.sessionId, verificationId: session.verificationId };
  };
}

export const verificationCancelRoute: ProtocolRoute<CancelDeps> = {
  method: 'POST',
  path: '/verification/cancel',
  summary: 'Cancel a verification (S2S §Verification Cancellation)',
  requestSchema: CancelVerificationRequest,
  responseSchema: VerificationReference,
  effects: 'write',
  steps: (deps) => [cancelVerification(deps)],
};
