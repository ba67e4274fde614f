import { unknownConfigurationIds } from '../../../domain/credential-configurations';
import { problems } from '../../../domain/problems';
import { IssueOneTimeCodeRequest } from '../../../domain/schemas/verification';
import { parseJsonBody } from '../../middleware/json-body';
import { validateBody, validatedBody } from '../../middleware/validate-body';
import type { AdminDeps } from '../app';
import { AdminCaller, adminBodyLimitBytes, type AdminMiddleware, type AdminRoute } from '../route';

type Deps = Pick<AdminDeps, 'catalogue' | 'oneTimeCodes'>;

/** The back office delivers the code through the issuer's own channel (SMS, e-mail, letter). */
function issueOneTimeCode(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    const request = validatedBody(ctx, IssueOneTimeCodeRequest);
    // Never the code (it is a credential of the holder's).
    ctx.state.auditTarget = { credentialConfigurationIds: request.credentialConfigurationIds };
    const unknown = unknownConfigurationIds(deps.catalogue, request.credentialConfigurationIds);
    if (unknown.length > 0) throw problems.unknownCredentialConfiguration(unknown);
    const { code, expiresAt } = await deps.oneTimeCodes.issue(
      request.tenantId,
      request.holderAccountId,
      request.credentialConfigurationIds,
      (request.expiresInSeconds ?? 600) * 1000,
    );
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { tenantId: request.tenantId, holderAccountId: request.holderAccountId, code, expiresAt: expiresAt.toISOString() };
  };
}

/** POST /admin/one-time-codes (profile §20). */
export const issueOneTimeCodeRoute: AdminRoute<Deps> = {
  method: 'POST',
  path: '/one-time-codes',
  caller: AdminCaller.backOffice,
  steps: (deps) => [parseJsonBody(adminBodyLimitBytes), validateBody(IssueOneTimeCodeRequest), issueOneTimeCode(deps)],
};
