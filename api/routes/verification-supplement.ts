import type { VerificationWorkflows } from '../../clients/temporal/verification-workflows';
import type { IssuerKeys } from '../../crypto/issuer-keys';
import { problems } from '../../domain/problems';
import { SupplementVerificationRequest, VerificationStatus } from '../../domain/schemas/verification';
import type { VerificationDataRepository } from '../../store/verification-data';
import { currentDecision, type VerificationSessionRepository } from '../../store/verification-sessions';
import { supplementRefusal } from '../../domain/verification-refusals';
import type { ApiMiddleware } from '../context';
import { validatedBody } from '../middleware/validate-body';
import { refusalProblem } from '../refusal-problems';
import { collectVerificationEvidence, hasEvidence } from '../verification-evidence';
import type { ProtocolRoute } from './route';
import { findTenantSession } from './session-lookup';

export interface SupplementDeps {
  sessions: VerificationSessionRepository;
  verificationData: VerificationDataRepository;
  workflows: VerificationWorkflows;
  issuerKeys: IssuerKeys;
  /** How far a Client Encrypted Payload's iat may lie from now (profile §11). */
  clientPayloadIatWindowMs: number;
}

/**
 * Verifies client payloads with the session's Wallet Signing Key, stores the evidence, and
 * hands its reference to the workflow's supplement Update, whose validator may still refuse it
 * (then the stored evidence is removed again).
 */
function supplementVerification(deps: SupplementDeps): ApiMiddleware {
  return async (ctx) => {
    const body = validatedBody(ctx, SupplementVerificationRequest);
    const session = await findTenantSession(ctx, deps.sessions, body);
    // Answer cheaply from the projection when the workflow would refuse anyway.
    const refusal = supplementRefusal(currentDecision(session));
    if (refusal) throw refusalProblem(refusal, currentDecision(session).status);

    const evidence = await collectVerificationEvidence(body.verificationDataPayload, {
      issuerKeys: deps.issuerKeys,
      walletSigningKey: session.walletSigningKey,
      pointer: '/verificationDataPayload',
      // Profile §11: a payload made for another verification of this session is refused.
      binding: { sessionId: session.sessionId, verificationId: session.verificationId },
      iatWindowMs: deps.clientPayloadIatWindowMs,
    });
    if (!hasEvidence(evidence))
      throw problems.invalidRequest('verificationDataPayload carries no verification data', [{ pointer: '/verificationDataPayload', message: 'is empty' }]);

    const owner = { tenantId: session.tenantId, sessionId: session.sessionId, verificationId: session.verificationId };
    // Profile §3: the record id and the Update id derive from the request, so a retry after a
    // crash stores nothing twice and Temporal answers it with the first delivery's outcome.
    const request = { requestId: ctx.state.requestId, fingerprint: ctx.state.requestFingerprint };
    const ref = deps.verificationData.refForRequest(session.tenantId, request);
    await deps.verificationData.save(owner, evidence, ref);
    const outcome = await deps.workflows.supplement(owner, ref, `supplement-${ctx.state.requestId}`).catch(async (error: unknown) => {
      await deps.verificationData.remove(ref);
      throw problems.serviceUnavailable('The supplement could not be delivered; retry later', error);
    });
    if (!outcome.accepted) {
      await deps.verificationData.remove(ref);
      throw refusalProblem(outcome.refusal, currentDecision(session).status);
    }
    ctx.body = { sessionId: session.sessionId, verificationId: session.verificationId, ...outcome.decision } as VerificationStatus;
  };
}

export const verificationSupplementRoute: ProtocolRoute<SupplementDeps> = {
  method: 'POST',
  path: '/verification/supplement',
  summary: 'More verification data (S2S §Supplement)',
  requestSchema: SupplementVerificationRequest,
  responseSchema: VerificationStatus,
  effects: 'write',
  steps: (deps) => [supplementVerification(deps)],
};
