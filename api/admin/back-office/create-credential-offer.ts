import { unknownConfigurationIds } from '../../../domain/credential-configurations';
import { problems } from '../../../domain/problems';
import { CreateCredentialOfferRequest } from '../../../domain/schemas/verification';
import { parseJsonBody } from '../../middleware/json-body';
import { validateBody, validatedBody } from '../../middleware/validate-body';
import type { AdminDeps } from '../app';
import { AdminCaller, adminBodyLimitBytes, type AdminMiddleware, type AdminRoute } from '../route';

type Deps = Pick<AdminDeps, 'catalogue' | 'offers' | 'issuerUrl'>;

/** A Credential Offer with a pre-authorized code (OpenID4VCI §4.1.1; engagement flows 3, 4). */
function createCredentialOffer(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    const request = validatedBody(ctx, CreateCredentialOfferRequest);
    // Not the code, nor the holder's account: what was offered, and on what grounds.
    ctx.state.auditTarget = { credentialConfigurationIds: request.credentialConfigurationIds, holderAuthenticated: request.holderAuthenticated };
    const unknown = unknownConfigurationIds(deps.catalogue, request.credentialConfigurationIds);
    if (unknown.length > 0) throw problems.unknownCredentialConfiguration(unknown);
    const { code, offer } = await deps.offers.create({
      credentialConfigurationIds: request.credentialConfigurationIds,
      holderAccountId: request.holderAccountId,
      holderAuthenticated: request.holderAuthenticated,
      ttlMs: (request.expiresInSeconds ?? 600) * 1000,
    });
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      credential_offer: {
        credential_issuer: deps.issuerUrl,
        credential_configuration_ids: offer.credentialConfigurationIds,
        grants: { 'urn:ietf:params:oauth:grant-type:pre-authorized_code': { 'pre-authorized_code': code } },
      },
      expiresAt: offer.expiresAt.toISOString(),
    };
  };
}

/** POST /admin/credential-offers (profile §17). */
export const createCredentialOfferRoute: AdminRoute<Deps> = {
  method: 'POST',
  path: '/credential-offers',
  caller: AdminCaller.backOffice,
  steps: (deps) => [parseJsonBody(adminBodyLimitBytes), validateBody(CreateCredentialOfferRequest), createCredentialOffer(deps)],
};
