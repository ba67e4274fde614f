import { problems } from '../../../domain/problems';
import { ReviewClaimError, type ReviewCase } from '../../../store/review-cases';

/** What a reviewer sees of a case in the queue: no evidence, only what is needed to pick one. */
export function reviewCaseSummary(c: ReviewCase) {
  return {
    caseId: c._id,
    tenantId: c.tenantId,
    sessionId: c.sessionId,
    verificationId: c.verificationId,
    credentialConfigurationIds: c.credentialConfigurationIds,
    reasons: c.reasons,
    state: c.state,
    createdAt: c.createdAt.toISOString(),
    ...(c.claimedBy ? { claimedBy: c.claimedBy, claimExpiresAt: c.claimExpiresAt?.toISOString() } : {}),
    ...(c.decision ? { decision: c.decision } : {}),
  };
}

/** A claim the store refused (held by another reviewer, expired, decided) is a 409. */
export function claimProblem(error: unknown): never {
  if (error instanceof ReviewClaimError) throw problems.reviewCaseUnavailable(error.message);
  throw error;
}
