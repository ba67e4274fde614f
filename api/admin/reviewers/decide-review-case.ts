import { ReviewDecisionRequest } from '../../../domain/verdicts';
import { parseJsonBody } from '../../middleware/json-body';
import { validateBody, validatedBody } from '../../middleware/validate-body';
import type { AdminDeps } from '../app';
import { AdminCaller, type AdminMiddleware, type AdminRoute } from '../route';
import { decideCase } from './review-case-actions';

type Deps = Pick<AdminDeps, 'reviewCases' | 'workflows'>;

/** The reviewer's decision on the case they hold, delivered to the verification (review-case-actions.ts). */
function decideReviewCase(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    const decision = validatedBody(ctx, ReviewDecisionRequest);
    ctx.state.auditTarget = { caseId: ctx.params.caseId ?? '', outcome: decision.outcome };
    const decided = await decideCase(deps, ctx.params.caseId ?? '', ctx.state.admin.id, decision);
    ctx.state.auditTarget = { ...ctx.state.auditTarget, tenantId: decided.tenantId, verificationId: decided.verificationId };
    ctx.body = { caseId: decided._id, state: 'decided', outcome: decision.outcome };
  };
}

/** POST /admin/review-cases/{caseId}/decision (profile §Manual review, §12 Verdicts). */
export const decideReviewCaseRoute: AdminRoute<Deps> = {
  method: 'POST',
  path: '/review-cases/:caseId/decision',
  caller: AdminCaller.reviewer,
  steps: (deps) => [parseJsonBody(64 * 1024), validateBody(ReviewDecisionRequest), decideReviewCase(deps)],
};
