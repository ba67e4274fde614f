import { transition, type LifecycleActor, type LifecycleState } from '../../domain/credential-lifecycle';
import { problems } from '../../domain/problems';
import { ManageCredentialRequest, ManageCredentialResponse } from '../../domain/schemas/credential-lifecycle';
import type { CredentialInstance, CredentialInstanceRepository } from '../../store/credential-instances';
import type { ManageCredentialArgs, ManageCredentialResult } from '../../workflows/credential-lifecycle/messages';
import type { ApiMiddleware } from '../context';
import { validatedBody } from '../middleware/validate-body';
import { timed } from '../server-timing';
import { findTenantInstance } from './instance-lookup';
import type { ProtocolRoute } from './route';

/** Runs a lifecycle request on the instance's CredentialLifecycleWorkflow; null when its workflow has ended. */
export interface CredentialLifecycleManager {
  manage(instance: CredentialInstance, request: Omit<ManageCredentialArgs, 'proof'>): Promise<ManageCredentialResult | null>;
}

export interface ManageDeps {
  credentialInstances: CredentialInstanceRepository;
  credentialLifecycle: CredentialLifecycleManager;
}

/**
 * S2S §Credential Manage, Wallet Server → issuer (profile §29): SUSPEND, RESUME or UNLINK of one
 * instance, decided by the transition table in the instance's workflow, which applies the change
 * (status list, the instance's record) before it answers. `reasonDetail` is free text and is not
 * passed on or stored. An instance whose workflow has ended (CANCELLED) is answered from its
 * record by the same table: from there no request changes anything.
 */
function manageCredential(deps: ManageDeps): ApiMiddleware {
  return async (ctx) => {
    const body = validatedBody(ctx, ManageCredentialRequest);
    const instance = await findTenantInstance(ctx, deps.credentialInstances, body);
    const request = { actor: 'WALLET' as const, action: body.action, ...(body.reason ? { reason: body.reason } : {}), requestId: ctx.state.requestId };
    const result = await timed(ctx, 'workflow', () => deps.credentialLifecycle.manage(instance, request)).catch((error: unknown) => {
      throw problems.serviceUnavailable('The credential instance could not be changed now; retry later', error);
    });
    ctx.body = {
      sessionId: body.sessionId,
      credentialInstanceId: body.credentialInstanceId,
      ...(result ?? answerFromRecord(instance, 'WALLET', body.action)),
    } satisfies ManageCredentialResponse;
  };
}

/** The answer for an instance without a running workflow (the Wallet Server's or the back office's request): its recorded state does not move. */
export function answerFromRecord(instance: CredentialInstance, actor: LifecycleActor, action: string): ManageCredentialResult {
  const status = instance.lifecycle?.status;
  if (!status) throw problems.credentialInstanceClosed('This credential instance no longer has a lifecycle');
  const move = transition(status, actor, action);
  const unchanged = { currentStatus: status, previousStatus: status } satisfies Pick<ManageCredentialResult, 'currentStatus' | 'previousStatus'>;
  // A running workflow would have moved it: a record that says otherwise is not this instance's end.
  if (!move || move.outcome === 'COMPLETED')
    throw problems.serviceUnavailable(`The credential instance's lifecycle (${status as LifecycleState}) is not running; retry later`);
  return move.outcome === 'FAILED' ? { ...unchanged, outcome: 'FAILED', failureReason: move.failureReason } : { ...unchanged, outcome: 'NO_CHANGE' };
}

export const credentialManageRoute: ProtocolRoute<ManageDeps> = {
  method: 'POST',
  path: '/credential/manage',
  summary: 'Suspend, resume or unlink a credential instance (S2S §Credential Manage, profile §29)',
  requestSchema: ManageCredentialRequest,
  responseSchema: ManageCredentialResponse,
  effects: 'write',
  steps: (deps) => [manageCredential(deps)],
};
