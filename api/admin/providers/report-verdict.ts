import { problems } from '../../../domain/problems';
import { ProviderVerdictRequest, requireCompleteVerdict } from '../../../domain/verdicts';
import { isTerminal } from '../../../domain/verification-state';
import { currentDecision } from '../../../store/verification-sessions';
import { parseJsonBody } from '../../middleware/json-body';
import { validateBody, validatedBody } from '../../middleware/validate-body';
import type { AdminDeps } from '../app';
import { AdminCaller, adminBodyLimitBytes, type AdminMiddleware, type AdminRoute } from '../route';

type Deps = Pick<AdminDeps, 'sessions' | 'workflows'>;

/** An asynchronous verification provider's verdict (document checks, registries), as a verdict signal. */
function reportVerdict(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    const verdict = validatedBody(ctx, ProviderVerdictRequest);
    requireCompleteVerdict(verdict);
    const ref = { tenantId: verdict.tenantId, sessionId: verdict.sessionId, verificationId: verdict.verificationId };
    const session = await deps.sessions.find(ref, verdict.verificationId);
    if (!session) throw problems.sessionNotFound();
    if (isTerminal(currentDecision(session).status)) throw problems.verificationFinal(currentDecision(session).status);
    await deps.workflows.sendVerdict(ref, {
      outcome: verdict.outcome,
      ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}),
      ...(verdict.message ? { message: verdict.message } : {}),
      ...(verdict.request ? { request: verdict.request } : {}),
      source: 'provider',
      decidedBy: verdict.provider,
    });
    ctx.status = 202;
    ctx.body = { ...ref, accepted: true };
  };
}

/** POST /admin/verdicts (profile §12). */
export const reportVerdictRoute: AdminRoute<Deps> = {
  method: 'POST',
  path: '/verdicts',
  caller: AdminCaller.provider,
  steps: (deps) => [parseJsonBody(adminBodyLimitBytes), validateBody(ProviderVerdictRequest), reportVerdict(deps)],
};
