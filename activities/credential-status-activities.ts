import { ApplicationFailure, log } from '@temporalio/activity';
import type { MessageProofs } from '../crypto/message-proof';
import { statusListValueOf, type LifecycleState } from '../domain/credential-lifecycle';
import { parseMessageProofText } from '../domain/message-proof';
import { credentialLifecycleWorkflowId } from '../domain/workflow-ids';
import type { CredentialInstanceRepository } from '../store/credential-instances';
import type { IssuedCredentialStore } from '../store/issued-credentials';
import { StatusChangeRefusedError, UnknownStatusListEntryError, type StatusListStore } from '../store/status-lists';
import { manageProofMessage, manageProofPayload, type ManageCredentialArgs } from '../workflows/credential-lifecycle/messages';
import type { CredentialInstanceRef } from './credential-issuance-activities';
import { issuerMetrics } from '../observability/metrics';

export interface CredentialStatusActivityDeps {
  issuedCredentials: Pick<IssuedCredentialStore, 'statusEntriesOf'>;
  statusLists: Pick<StatusListStore, 'setStatusMany'>;
  instances: Pick<CredentialInstanceRepository, 'recordLifecycle'>;
  proofs: Pick<MessageProofs, 'verify'>;
}

/** A lifecycle record to apply: identifiers, codes and times only (workflow history). */
export interface AppliedLifecycle extends CredentialInstanceRef {
  status: LifecycleState;
  statusVersion: number;
  /** When the status last changed, ISO 8601. */
  changedAt: string;
  reason: string;
  /** credentialVersion of the last credentials issued ("" before the first). */
  credentialVersion: string;
}

/** Activities of the CredentialLifecycleWorkflow's lifecycle (profile §29). */
export function createCredentialStatusActivities(deps: CredentialStatusActivityDeps) {
  return {
    /**
     * Applies a lifecycle state: every unexpired credential of the instance gets the state's
     * status list value (statusListValueOf), then the instance's record says where it is (what
     * /credential/status answers). Safe to repeat: the statuses are set, not toggled, and the
     * record never goes back to an older statusVersion.
     */
    async applyCredentialStatus(input: AppliedLifecycle): Promise<void> {
      const entries = await deps.issuedCredentials.statusEntriesOf(input);
      try {
        await deps.statusLists.setStatusMany(entries, statusListValueOf(input.status));
      } catch (error) {
        // A revoked entry stays revoked, and an entry this issuer never allocated cannot be set:
        // no retry changes either, so the step fails for an operator to see.
        if (error instanceof StatusChangeRefusedError || error instanceof UnknownStatusListEntryError)
          throw ApplicationFailure.nonRetryable(error.message, 'StatusChangeRefused');
        throw error;
      }
      await deps.instances.recordLifecycle(input, {
        status: input.status,
        statusVersion: input.statusVersion,
        changedAt: new Date(input.changedAt),
        reason: input.reason,
        credentialVersion: input.credentialVersion,
      });
      issuerMetrics.lifecycleTransitions.inc({ status: input.status });
      log.info('credential lifecycle applied', { credentialInstanceId: input.credentialInstanceId, status: input.status, credentials: entries.length });
    },

    /** Whether a lifecycle request carries the API's (or the back office's) proof of origin. */
    async verifyManageProof(input: CredentialInstanceRef & ManageCredentialArgs): Promise<boolean> {
      const valid = deps.proofs.verify(credentialLifecycleWorkflowId(input), manageProofMessage, manageProofPayload(input), parseMessageProofText(input.proof));
      if (!valid) log.warn('lifecycle request refused: no valid proof of origin', { credentialInstanceId: input.credentialInstanceId });
      return valid;
    },
  };
}
export type CredentialStatusActivities = ReturnType<typeof createCredentialStatusActivities>;
