import { problems } from '../../../domain/problems';
import type { AdminDeps } from '../app';
import { AdminCaller, type AdminMiddleware, type AdminRoute } from '../route';
import { claimProblem, reviewCaseSummary } from './review-case-view';

type Deps = Pick<AdminDeps, 'reviewCases' | 'claimMs'>;

/** One reviewer at a time; the claim expires after claimMs (profile §Manual review). */
function claimReviewCase(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    ctx.state.auditTarget = { caseId: ctx.params.caseId ?? '' };
    const found = await deps.reviewCases.get(ctx.params.caseId ?? '');
    if (!found) throw problems.reviewCaseNotFound();
    ctx.body = reviewCaseSummary(await deps.reviewCases.claim(found._id, ctx.state.admin.id, deps.claimMs).catch(claimProblem));
  };
}

/** POST /admin/review-cases/{caseId}/claim. */
export const claimReviewCaseRoute: AdminRoute<Deps> = {
  method: 'POST',
  path: '/review-cases/:caseId/claim',
  caller: AdminCaller.reviewer,
  steps: (deps) => [claimReviewCase(deps)],
};
