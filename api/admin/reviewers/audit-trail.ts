import type { AdminDeps } from '../app';
import { AdminCaller, type AdminMiddleware, type AdminRoute } from '../route';

/** Who claimed, viewed and decided the case, and when; for a decision, which one. Outlives the case (profile §Retention). */
function auditTrail(deps: Pick<AdminDeps, 'reviewCases'>): AdminMiddleware {
  return async (ctx) => {
    ctx.body = {
      entries: (await deps.reviewCases.auditTrail(ctx.params.caseId ?? '')).map((e) => ({
        reviewerId: e.reviewerId,
        action: e.action,
        at: e.at.toISOString(),
        ...(e.outcome ? { outcome: e.outcome } : {}),
        ...(e.reasonCode ? { reasonCode: e.reasonCode } : {}),
      })),
    };
  };
}

/** GET /admin/review-cases/{caseId}/audit (profile §Manual review). */
export const auditTrailRoute: AdminRoute<Pick<AdminDeps, 'reviewCases'>> = {
  method: 'GET',
  path: '/review-cases/:caseId/audit',
  caller: AdminCaller.reviewer,
  steps: (deps) => [auditTrail(deps)],
};
