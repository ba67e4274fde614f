import { problems } from '../../../domain/problems';
import { requireCompleteVerdict, ReviewDecisionRequest } from '../../../domain/verdicts';
import { parseJsonBody } from '../../middleware/json-body';
import { validateBody, validatedBody } from '../../middleware/validate-body';
import type { AdminDeps } from '../app';
import { AdminCaller, type AdminMiddleware, type AdminRoute } from '../route';
import { claimProblem } from './review-case-view';

type Deps = Pick<AdminDeps, 'reviewCases' | 'workflows'>;

/**
 * Records the decision on the claimed case (one decision per case), then delivers it to the
 * verification as a verdict signal; a decision that cannot be delivered is withdrawn, so the
 * reviewer can decide again.
 */
function decideReviewCase(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    const decision = validatedBody(ctx, ReviewDecisionRequest);
    ctx.state.auditTarget = { caseId: ctx.params.caseId ?? '', outcome: decision.outcome };
    requireCompleteVerdict(decision);
    const reviewerId = ctx.state.admin.id;
    const claimed = await deps.reviewCases.claimedBy(ctx.params.caseId ?? '', reviewerId).catch(claimProblem);
    ctx.state.auditTarget = { ...ctx.state.auditTarget, tenantId: claimed.tenantId, verificationId: claimed.verificationId };
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
    ctx.body = { caseId: claimed._id, state: 'decided', outcome: decision.outcome };
  };
}

/** POST /admin/review-cases/{caseId}/decision (profile §Manual review, §12 Verdicts). */
export const decideReviewCaseRoute: AdminRoute<Deps> = {
  method: 'POST',
  path: '/review-cases/:caseId/decision',
  caller: AdminCaller.reviewer,
  steps: (deps) => [parseJsonBody(64 * 1024), validateBody(ReviewDecisionRequest), decideReviewCase(deps)],
};
