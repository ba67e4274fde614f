import { problems } from '../../../domain/problems';
import { ProviderVerdictRequest, requireCompleteVerdict } from '../../../domain/verdicts';
import { isTerminal, VerificationState } from '../../../domain/verification-state';
import { currentDecision } from '../../../store/verification-sessions';
import { parseJsonBody } from '../../middleware/json-body';
import { validateBody, validatedBody } from '../../middleware/validate-body';
import type { AdminDeps } from '../app';
import { AdminCaller, adminBodyLimitBytes, type AdminMiddleware, type AdminRoute } from '../route';

type Deps = Pick<AdminDeps, 'sessions' | 'workflows' | 'providerRequests'>;

/**
 * An asynchronous verification provider's verdict (document checks, registries), as a verdict
 * signal. The provider is the one its credential speaks for, never what the body says (a body
 * naming another provider is refused), and it decides only a verification that asked it: an
 * evaluator left one of its items to that provider (store/provider-requests.ts, profile §12).
 */
function reportVerdict(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    const verdict = validatedBody(ctx, ProviderVerdictRequest);
    const ref = { tenantId: verdict.tenantId, sessionId: verdict.sessionId, verificationId: verdict.verificationId };
    ctx.state.auditTarget = { ...ref, outcome: verdict.outcome };
    const provider = ctx.state.admin.provider;
    if (!provider) throw problems.adminRoleForbidden(ctx.state.admin.role, 'provider (with a provider name)');
    if (verdict.provider !== undefined && verdict.provider !== provider) {
      throw problems.verdictNotRequested(`This credential reports for ${provider}, not for ${verdict.provider}`);
    }
    requireCompleteVerdict(verdict);
    const session = await deps.sessions.find(ref, verdict.verificationId);
    if (!session) throw problems.sessionNotFound();
    const status = currentDecision(session).status;
    if (isTerminal(status)) throw problems.verificationFinal(status);
    // Only a verification waiting for a verdict takes one: a REJECTED one (an item failed) or one
    // waiting for the holder's data must not be approved over that.
    if (status !== VerificationState.pending) throw problems.verificationNotPending(status);
    if (!(await deps.providerRequests.wasAsked(ref, provider))) {
      throw problems.verdictNotRequested(`Verification ${verdict.verificationId} did not ask ${provider} for a verdict`);
    }
    await deps.workflows.sendVerdict(ref, {
      outcome: verdict.outcome,
      ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}),
      ...(verdict.message ? { message: verdict.message } : {}),
      ...(verdict.request ? { request: verdict.request } : {}),
      source: 'provider',
      decidedBy: provider,
    });
    await deps.providerRequests.markAnswered(ref, provider);
    ctx.status = 202;
    ctx.body = { ...ref, provider, accepted: true };
  };
}

/** POST /admin/verdicts (profile §12). */
export const reportVerdictRoute: AdminRoute<Deps> = {
  method: 'POST',
  path: '/verdicts',
  caller: AdminCaller.provider,
  steps: (deps) => [parseJsonBody(adminBodyLimitBytes), validateBody(ProviderVerdictRequest), reportVerdict(deps)],
};
