import type { AdminDeps } from '../app';
import { AdminCaller, type AdminMiddleware, type AdminRoute } from '../route';
import { claimCase } from './review-case-actions';
import { reviewCaseSummary } from './review-case-view';

type Deps = Pick<AdminDeps, 'reviewCases' | 'claimMs'>;

/** One reviewer at a time; the claim expires after claimMs (profile §Manual review). */
function claimReviewCase(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    ctx.state.auditTarget = { caseId: ctx.params.caseId ?? '' };
    ctx.body = reviewCaseSummary(await claimCase(deps, ctx.params.caseId ?? '', ctx.state.admin.id));
  };
}

/** POST /admin/review-cases/{caseId}/claim. */
export const claimReviewCaseRoute: AdminRoute<Deps> = {
  method: 'POST',
  path: '/review-cases/:caseId/claim',
  caller: AdminCaller.reviewer,
  steps: (deps) => [claimReviewCase(deps)],
};
