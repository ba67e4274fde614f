import type { CredentialLifecycleWorkflows } from '../clients/temporal/credential-lifecycle-workflows';
import type { CredentialInstance } from '../store/credential-instances';
import type { CredentialIssuer } from './routes/credential-get';
import type { CredentialLifecycleStarter } from './routes/credential-provision';
import type { CredentialLifecycleManager } from './routes/credential-manage';
import type { WalletEventReceiver } from './routes/event-notify';

/**
 * What the credential routes need of the instances' CredentialLifecycleWorkflows: provision
 * starts one per instance (identifiers only in its input), get runs its issuance Update, manage
 * its lifecycle Update, event/notify signals the Wallet Server's events.
 */
export function instanceLifecycles(
  workflows: CredentialLifecycleWorkflows,
  options: { deferredPollMs: number; provisioningFailureLimit: number },
): CredentialLifecycleStarter & CredentialIssuer & CredentialLifecycleManager & WalletEventReceiver {
  return {
    start: (instance: CredentialInstance) =>
      workflows.start({
        tenantId: instance.tenantId,
        sessionId: instance.sessionId,
        verificationId: instance.verificationId,
        credentialInstanceId: instance.credentialInstanceId,
        credentialConfigurationId: instance.credentialConfigurationId,
        holderAccountId: instance.holderAccountId,
        deferredPollMs: options.deferredPollMs,
        ...(options.provisioningFailureLimit > 0 ? { provisioningFailureLimit: options.provisioningFailureLimit } : {}),
      }),
    issue: (instance, request) => workflows.issue(instance, request),
    manage: (instance, request) => workflows.manage(instance, request),
    walletEvent: (instance, event) => workflows.walletEvent(instance, event),
  };
}
