import { CredentialNonceRequest, CredentialNonceResponse } from '../../domain/schemas/credential';
import type { CredentialInstanceRepository } from '../../store/credential-instances';
import type { CredentialNonceStore } from '../../store/credential-nonces';
import type { ApiMiddleware } from '../context';
import { validatedBody } from '../middleware/validate-body';
import { findTenantInstance } from './instance-lookup';
import type { ProtocolRoute } from './route';

export interface NonceDeps {
  credentialInstances: CredentialInstanceRepository;
  credentialNonces: CredentialNonceStore;
}

/**
 * Profile §25: a fresh issuer nonce for one get of one instance (the S2S form of OpenID4VCI 1.0
 * §7 Nonce Endpoint). Each call draws a new one; a retry with the same x-request-id replays the
 * first answer (§3). Issuing writes nothing (store/credential-nonces.ts), so the endpoint has no
 * effects: its answer is stored once, after it ran.
 */
function issueNonce(deps: NonceDeps): ApiMiddleware {
  return async (ctx) => {
    const instance = await findTenantInstance(ctx, deps.credentialInstances, validatedBody(ctx, CredentialNonceRequest));
    const { c_nonce, expiresAt } = deps.credentialNonces.issue(instance.tenantId, instance.credentialInstanceId);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { c_nonce, expiresAt: expiresAt.toISOString() } satisfies CredentialNonceResponse;
  };
}

export const credentialNonceRoute: ProtocolRoute<NonceDeps> = {
  method: 'POST',
  path: '/credential/nonce',
  summary: 'A fresh nonce for the key proofs of one get, profile §25 (S2S §Get Credential)',
  requestSchema: CredentialNonceRequest,
  responseSchema: CredentialNonceResponse,
  effects: 'read',
  steps: (deps) => [issueNonce(deps)],
};
