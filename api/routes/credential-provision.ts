import { problems } from '../../domain/problems';
import { deviceExtension, ProvisionCredentialRequest, ProvisionCredentialResponse } from '../../domain/schemas/credential';
import { VerificationState } from '../../domain/verification-state';
import type { CredentialInstance, CredentialInstanceRepository } from '../../store/credential-instances';
import type { SessionHolderRepository } from '../../store/session-holders';
import { currentDecision, type VerificationSessionRepository } from '../../store/verification-sessions';
import type { ApiMiddleware } from '../context';
import { validatedBody } from '../middleware/validate-body';
import { timed } from '../server-timing';
import type { ProtocolRoute } from './route';
import { findTenantSession } from './session-lookup';

/** Starts an instance's CredentialLifecycleWorkflow; starting one that runs already is not an error. */
export interface CredentialLifecycleStarter {
  start(instance: CredentialInstance): Promise<void>;
}

export interface ProvisionDeps {
  sessions: VerificationSessionRepository;
  sessionHolders: SessionHolderRepository;
  credentialInstances: CredentialInstanceRepository;
  lifecycle: CredentialLifecycleStarter;
}

/** Profile §25: the device when the Wallet Server names none. */
export const defaultDevice = 'default';

/**
 * S2S §Provision Credential: after APPROVED, one credential instance per approved configuration
 * for the device, each with its CredentialLifecycleWorkflow. The instances are stored before
 * their workflows start, and both steps are idempotent, so a retry after a crash at any point
 * (or a repeat of the call) ends with the same instances and one workflow each.
 */
function provisionCredentials(deps: ProvisionDeps): ApiMiddleware {
  return async (ctx) => {
    const body = validatedBody(ctx, ProvisionCredentialRequest);
    // The session and its holder link at once: both are named by the body.
    const [session, holder] = await timed(ctx, 'session', () =>
      Promise.all([
        findTenantSession(ctx, deps.sessions, body),
        deps.sessionHolders.holderOfSession({ tenantId: ctx.state.tenant._id, sessionId: body.sessionId }),
      ]),
    );
    const decision = currentDecision(session);
    if (!session.current || decision.status !== VerificationState.approved) {
      throw problems.verificationNotApproved(session.current ? decision.status : 'not the session’s current verification');
    }
    if (holder.outcome !== 'holder' || holder.verificationId !== session.verificationId) throw problems.holderNotKnown();

    const authorizedDeviceCount = decision.authorizedDeviceCount ?? 1;
    const outcome = await timed(ctx, 'instances', () =>
      deps.credentialInstances.provision({
        tenantId: session.tenantId,
        sessionId: session.sessionId,
        verificationId: session.verificationId,
        device: body.extensions?.[deviceExtension] ?? defaultDevice,
        holderAccountId: holder.holderAccountId,
        credentialConfigurationIds: decision.credentialConfigurationIds,
        authorizedDeviceCount,
      }),
    );
    if (outcome.outcome === 'device_limit') throw problems.deviceLimitReached(authorizedDeviceCount);
    await timed(ctx, 'workflows', () =>
      Promise.all(outcome.instances.map((instance) => deps.lifecycle.start(instance))).catch((error: unknown) => {
        throw problems.serviceUnavailable('The credential instances could not be started; retry later', error);
      }),
    );
    ctx.body = { CredentialInstances: groupByConfiguration(outcome.instances) } satisfies ProvisionCredentialResponse;
  };
}

function groupByConfiguration(instances: readonly CredentialInstance[]): ProvisionCredentialResponse['CredentialInstances'] {
  const byConfiguration = new Map<string, string[]>();
  for (const instance of instances) {
    const ids = byConfiguration.get(instance.credentialConfigurationId) ?? [];
    ids.push(instance.credentialInstanceId);
    byConfiguration.set(instance.credentialConfigurationId, ids);
  }
  return [...byConfiguration].map(([credentialConfigurationId, credentialInstanceIds]) => ({ credentialConfigurationId, credentialInstanceIds }));
}

export const credentialProvisionRoute: ProtocolRoute<ProvisionDeps> = {
  method: 'POST',
  path: '/credential/provision',
  summary: 'Credential instances of an approved verification (S2S §Provision Credential)',
  requestSchema: ProvisionCredentialRequest,
  responseSchema: ProvisionCredentialResponse,
  effects: 'write',
  steps: (deps) => [provisionCredentials(deps)],
};
