import type { AdminDeps } from '../app';
import { AdminCaller, type AdminMiddleware, type AdminRoute } from '../route';
import { reviewCaseSummary } from './review-case-view';

/** Oldest first; open cases claimed by another reviewer stay hidden until the claim expires. */
function listReviewCases(deps: Pick<AdminDeps, 'reviewCases'>): AdminMiddleware {
  return async (ctx) => {
    const state = ctx.query.state === 'decided' || ctx.query.state === 'closed' ? ctx.query.state : 'open';
    const tenantId = typeof ctx.query.tenantId === 'string' ? ctx.query.tenantId : undefined;
    const cases = await deps.reviewCases.list({ state, ...(tenantId ? { tenantId } : {}), ...(state === 'open' ? { claimableBy: ctx.state.admin.id } : {}) });
    ctx.body = { cases: cases.map(reviewCaseSummary) };
  };
}

/** GET /admin/review-cases?state=&tenantId= (profile §Manual review). */
export const listReviewCasesRoute: AdminRoute<Pick<AdminDeps, 'reviewCases'>> = {
  method: 'GET',
  path: '/review-cases',
  caller: AdminCaller.reviewer,
  steps: (deps) => [listReviewCases(deps)],
};
