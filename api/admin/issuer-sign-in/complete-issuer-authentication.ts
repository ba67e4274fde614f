import { problems } from '../../../domain/problems';
import { CompleteIssuerAuthenticationRequest } from '../../../domain/schemas/verification';
import { parseJsonBody } from '../../middleware/json-body';
import { validateBody, validatedBody } from '../../middleware/validate-body';
import type { AdminDeps } from '../app';
import { AdminCaller, adminBodyLimitBytes, type AdminMiddleware, type AdminRoute } from '../route';

type Deps = Pick<AdminDeps, 'authentications' | 'workflows'>;

/**
 * The issuer's website or app, after the holder logged in there: completes the handle (once)
 * and approves the verification that waits for it.
 */
function completeIssuerAuthentication(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    const request = validatedBody(ctx, CompleteIssuerAuthenticationRequest);
    const result = await deps.authentications.complete(request.handle, request.holderAccountId);
    if ('refused' in result) throw problems.authenticationHandleUnavailable(result.refused);
    ctx.state.auditTarget = { tenantId: result.ref.tenantId, sessionId: result.ref.sessionId, verificationId: result.ref.verificationId };
    await deps.workflows.sendVerdict(result.ref, { outcome: 'APPROVED', source: 'provider', decidedBy: 'issuer-surface-authentication' });
    ctx.body = { sessionId: result.ref.sessionId, verificationId: result.ref.verificationId, authenticated: true };
  };
}

/** POST /admin/issuer-authentications (profile §21). */
export const completeIssuerAuthenticationRoute: AdminRoute<Deps> = {
  method: 'POST',
  path: '/issuer-authentications',
  caller: AdminCaller.issuerSignIn,
  steps: (deps) => [parseJsonBody(adminBodyLimitBytes), validateBody(CompleteIssuerAuthenticationRequest), completeIssuerAuthentication(deps)],
};
