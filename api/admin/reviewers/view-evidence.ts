import type { AdminDeps } from '../app';
import { AdminCaller, type AdminMiddleware, type AdminRoute } from '../route';
import { openEvidence } from './review-case-actions';
import { reviewCaseSummary } from './review-case-view';

type Deps = Pick<AdminDeps, 'reviewCases' | 'verificationData' | 'logger'>;

/** The decrypted evidence, only for the reviewer holding the claim; every view is audited. */
function viewEvidence(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    const { claimed, evidence } = await openEvidence(deps, ctx.params.caseId ?? '', ctx.state.admin.id);
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
