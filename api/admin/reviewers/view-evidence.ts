import type { AdminDeps } from '../app';
import { AdminCaller, type AdminMiddleware, type AdminRoute } from '../route';
import { claimProblem, reviewCaseSummary } from './review-case-view';

type Deps = Pick<AdminDeps, 'reviewCases' | 'verificationData' | 'logger'>;

/** The decrypted evidence, only for the reviewer holding the claim; every view is audited. */
function viewEvidence(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    const claimed = await deps.reviewCases.claimedBy(ctx.params.caseId ?? '', ctx.state.admin.id).catch(claimProblem);
    const evidence = await deps.verificationData.load(claimed.tenantId, claimed.evidenceRef);
    await deps.reviewCases.audit(claimed._id, ctx.state.admin.id, 'view_evidence');
    deps.logger.info({ caseId: claimed._id, reviewerId: ctx.state.admin.id }, 'review evidence viewed');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { case: reviewCaseSummary(claimed), evidence };
  };
}

/** GET /admin/review-cases/{caseId}/evidence (profile §Manual review). */
export const viewEvidenceRoute: AdminRoute<Deps> = {
  method: 'GET',
  path: '/review-cases/:caseId/evidence',
  caller: AdminCaller.reviewer,
  steps: (deps) => [viewEvidence(deps)],
};
