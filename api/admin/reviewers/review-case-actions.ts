import { problems } from '../../../domain/problems';
import { requireCompleteVerdict, type ReviewDecisionRequest } from '../../../domain/verdicts';
import type { ReviewCase } from '../../../store/review-cases';
import type { AdminDeps } from '../app';
import { claimProblem } from './review-case-view';

/**
 * What a reviewer does to a case, whether through the admin API or the reviewer console: the
 * same rules, the same audit, one place.
 */
type Deps = Pick<AdminDeps, 'reviewCases' | 'verificationData' | 'workflows' | 'claimMs' | 'logger'>;

/** Claims the case for `claimMs` (one reviewer at a time); 404 for an unknown case, 409 when unavailable. */
export async function claimCase(deps: Pick<Deps, 'reviewCases' | 'claimMs'>, caseId: string, reviewerId: string): Promise<ReviewCase> {
  const found = await deps.reviewCases.get(caseId);
  if (!found) throw problems.reviewCaseNotFound();
  return deps.reviewCases.claim(found._id, reviewerId, deps.claimMs).catch(claimProblem);
}

/** The decrypted evidence of a case the reviewer holds; every view is audited and logged (identifiers only). */
export async function openEvidence(
  deps: Pick<Deps, 'reviewCases' | 'verificationData' | 'logger'>,
  caseId: string,
  reviewerId: string,
): Promise<{ claimed: ReviewCase; evidence: Awaited<ReturnType<Deps['verificationData']['load']>> }> {
  const claimed = await deps.reviewCases.claimedBy(caseId, reviewerId).catch(claimProblem);
  const evidence = await deps.verificationData.load(claimed.tenantId, claimed.evidenceRef);
  await deps.reviewCases.audit(claimed._id, reviewerId, 'view_evidence');
  deps.logger.info({ caseId: claimed._id, reviewerId }, 'review evidence viewed');
  return { claimed, evidence };
}

/**
 * Records the decision on the claimed case (one decision per case), then delivers it to the
 * verification as a verdict signal; a decision that cannot be delivered is withdrawn, so the
 * reviewer can decide again.
 */
export async function decideCase(
  deps: Pick<Deps, 'reviewCases' | 'workflows'>,
  caseId: string,
  reviewerId: string,
  decision: ReviewDecisionRequest,
): Promise<ReviewCase> {
  requireCompleteVerdict(decision);
  const claimed = await deps.reviewCases.claimedBy(caseId, reviewerId).catch(claimProblem);
  await deps.reviewCases
    .recordDecision(claimed._id, reviewerId, {
      outcome: decision.outcome,
      ...(decision.reasonCode ? { reasonCode: decision.reasonCode } : {}),
      decidedBy: reviewerId,
    })
    .catch(claimProblem);
  try {
    await deps.workflows.sendVerdict(claimed, { ...decision, source: 'reviewer', decidedBy: reviewerId });
  } catch (error) {
    await deps.reviewCases.withdrawDecision(claimed._id);
    throw problems.serviceUnavailable('The decision could not be delivered; decide again', error);
  }
  return claimed;
}
