import { CredentialStatus } from '../../domain/credential-lifecycle';
import { CredentialStatusRequest, CredentialStatusResponse } from '../../domain/schemas/credential-lifecycle';
import type { CredentialInstanceRepository } from '../../store/credential-instances';
import type { ApiMiddleware } from '../context';
import { validatedBody } from '../middleware/validate-body';
import { findTenantInstance } from './instance-lookup';
import type { ProtocolRoute } from './route';

export interface CredentialStatusDeps {
  credentialInstances: CredentialInstanceRepository;
}

/**
 * S2S §Get Credential Status, Wallet Server → issuer (profile §29): the instance's state as its
 * workflow last recorded it (each change is recorded before it is answered or visible). UNKNOWN
 * only for an instance whose record holds no lifecycle; an instance that is not the Wallet
 * Server's is 404, like a missing one.
 */
function credentialStatus(deps: CredentialStatusDeps): ApiMiddleware {
  return async (ctx) => {
    const instance = await findTenantInstance(ctx, deps.credentialInstances, validatedBody(ctx, CredentialStatusRequest));
    const lifecycle = instance.lifecycle;
    ctx.body = (
      lifecycle
        ? {
            currentStatus: lifecycle.status,
            currentVersion: lifecycle.credentialVersion,
            lastStatusChangeTime: lifecycle.changedAt.toUTCString(),
            lastStatusChangeReason: lifecycle.reason,
          }
        : { currentStatus: CredentialStatus.unknown, currentVersion: '' }
    ) satisfies CredentialStatusResponse;
  };
}

export const credentialStatusRoute: ProtocolRoute<CredentialStatusDeps> = {
  method: 'POST',
  path: '/credential/status',
  summary: 'The current status of a credential instance (S2S §Get Credential Status, profile §29)',
  requestSchema: CredentialStatusRequest,
  responseSchema: CredentialStatusResponse,
  effects: 'read',
  steps: (deps) => [credentialStatus(deps)],
};
