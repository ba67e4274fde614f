import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type SignalDefinition } from '@temporalio/common';
import type { MessageProofs } from '../../crypto/message-proof';
import { messageProofText } from '../../domain/message-proof';
import {
  credentialLifecycleStateQuery,
  credentialLifecycleWorkflowId,
  CredentialLifecycleRefusal,
  holderDataChangedSignal,
  issueCredentialsUpdate,
  issueProofMessage,
  manageCredentialUpdate,
  manageProofMessage,
  manageProofPayload,
  walletEventSignal,
  reconcileSignal,
  displayDataUpdatedSignal,
  type CredentialLifecycleInput,
  type CredentialLifecycleState,
  type IssueOutcome,
  type ManageCredentialArgs,
  type ManageCredentialResult,
  type WalletEventRecord,
} from '../../workflows/credential-lifecycle/messages';
import {
  credentialConfigurationIdAttribute,
  credentialStatusAttribute,
  credentialWalletSyncAttribute,
  WalletSync,
} from '../../workflows/credential-lifecycle/search-attributes';
import { CredentialStatus } from '../../domain/credential-lifecycle';
import type { credentialLifecycleWorkflow } from '../../workflows/credential-lifecycle/workflow';
import { tenantIdAttribute } from '../../workflows/verification/search-attributes';

export interface CredentialInstanceWorkflowRef {
  tenantId: string;
  credentialInstanceId: string;
}

/** The workflow refused a get for want of the API's proof of origin (a configuration error: keyrings differ). */
export class IssueRequestUnprovenError extends Error {}

export interface CredentialLifecycleWorkflows {
  /**
   * Starts the instance's CredentialLifecycleWorkflow (at provision). Idempotent: an instance
   * whose workflow runs or has run is left as it is.
   */
  start(input: Omit<CredentialLifecycleInput, 'outboundTaskQueue'> & { outboundTaskQueue?: string }): Promise<void>;
  /**
   * A get (S2S §Get Credential): the Update `issueCredentials` with id `get-<requestId>`, so a
   * retried get is answered by the same execution. A closed or never started instance answers `closed`.
   */
  issue(ref: CredentialInstanceWorkflowRef, request: { requestRef: string; requestId: string }): Promise<IssueOutcome>;
  /**
   * A lifecycle request (profile §29): the Update `manageCredential` with id `manage-<requestId>`.
   * Null when the instance has no running workflow (its lifecycle ended): the caller answers
   * from the instance's record.
   */
  manage(ref: CredentialInstanceWorkflowRef, request: Omit<ManageCredentialArgs, 'proof'>): Promise<ManageCredentialResult | null>;
  /** A Wallet Server event for the instance (S2S §Event Notification); false when the instance has no running workflow. */
  walletEvent(ref: CredentialInstanceWorkflowRef, event: WalletEventRecord): Promise<boolean>;
  /** The display data of the instance's configuration changed (profile §29); false when it has no running workflow. */
  displayDataUpdated(ref: CredentialInstanceWorkflowRef, credentialMetadataVersion: string): Promise<boolean>;
  /** Reconcile the instance with its Wallet Server's view now (profile §29); false when it has no running workflow. */
  reconcile(ref: CredentialInstanceWorkflowRef, reconciliationId: string): Promise<boolean>;
  /** Running instances whose Wallet Server missed something the issuer gave up telling it (S2sCredentialWalletSync = OUT_OF_SYNC). */
  listOutOfSync(limit: number): Promise<CredentialInstanceWorkflowRef[]>;
  /** The back office says the holder's records changed; nothing happens for an instance without a running workflow. */
  holderDataChanged(ref: CredentialInstanceWorkflowRef): Promise<void>;
  /** What the workflow knows (identifiers, versions, times); null when it is not running. */
  state(ref: CredentialInstanceWorkflowRef): Promise<CredentialLifecycleState | null>;
}

/**
 * The API's (and the back office's) client of the CredentialLifecycleWorkflows. `proofs` signs
 * gets with the API's proof of origin (crypto/message-proof.ts); without it the workflow refuses them.
 */
export function createCredentialLifecycleWorkflows(
  client: Client,
  options: { taskQueue: string; outboundTaskQueue: string; proofs?: Pick<MessageProofs, 'sign'> },
): CredentialLifecycleWorkflows {
  const handle = (ref: CredentialInstanceWorkflowRef) => client.workflow.getHandle<typeof credentialLifecycleWorkflow>(credentialLifecycleWorkflowId(ref));

  /** Signals the instance's workflow; false when it is not running (its lifecycle has ended). */
  async function signalRunning<Args extends unknown[]>(ref: CredentialInstanceWorkflowRef, signal: SignalDefinition<Args>, ...args: Args): Promise<boolean> {
    try {
      await handle(ref).signal(signal, ...args);
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  return {
    async start(input) {
      try {
        await client.workflow.start<typeof credentialLifecycleWorkflow>('credentialLifecycleWorkflow', {
          workflowId: credentialLifecycleWorkflowId(input),
          taskQueue: options.taskQueue,
          args: [{ ...input, outboundTaskQueue: input.outboundTaskQueue ?? options.outboundTaskQueue }],
          // One workflow per instance: a retried provision attaches to the running one; a closed
          // instance stays closed (it is not started again).
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: tenantIdAttribute, value: input.tenantId },
            { key: credentialConfigurationIdAttribute, value: input.credentialConfigurationId },
            // Profile §29: provisioned, nothing issued yet.
            { key: credentialStatusAttribute, value: CredentialStatus.inProcess },
          ],
        });
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return;
        throw error;
      }
    },

    async issue(ref, { requestRef, requestId }) {
      const payload = { requestRef, requestId };
      const proof = options.proofs ? messageProofText(options.proofs.sign(credentialLifecycleWorkflowId(ref), issueProofMessage, payload)) : undefined;
      try {
        return await handle(ref).executeUpdate(issueCredentialsUpdate, { args: [{ ...payload, ...(proof ? { proof } : {}) }], updateId: `get-${requestId}` });
      } catch (error) {
        // A workflow that has completed (or never ran) takes no gets: the instance is closed.
        if (error instanceof WorkflowNotFoundError) return { outcome: 'closed' };
        if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === CredentialLifecycleRefusal.unproven)
          throw new IssueRequestUnprovenError('the credential lifecycle workflow refused the get: no valid proof of origin', { cause: error });
        throw error;
      }
    },

    async manage(ref, request) {
      const proof = options.proofs
        ? messageProofText(options.proofs.sign(credentialLifecycleWorkflowId(ref), manageProofMessage, manageProofPayload(request)))
        : undefined;
      try {
        return await handle(ref).executeUpdate(manageCredentialUpdate, {
          args: [{ ...request, ...(proof ? { proof } : {}) }],
          updateId: `manage-${request.requestId}`,
        });
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return null;
        if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === CredentialLifecycleRefusal.unproven)
          throw new IssueRequestUnprovenError('the credential lifecycle workflow refused a lifecycle request: no valid proof of origin', { cause: error });
        throw error;
      }
    },

    walletEvent: (ref, event) => signalRunning(ref, walletEventSignal, event),

    displayDataUpdated: (ref, credentialMetadataVersion) => signalRunning(ref, displayDataUpdatedSignal, { credentialMetadataVersion }),

    reconcile: (ref, reconciliationId) => signalRunning(ref, reconcileSignal, { reconciliationId }),

    async listOutOfSync(limit) {
      const found: CredentialInstanceWorkflowRef[] = [];
      const query = `WorkflowType = 'credentialLifecycleWorkflow' AND ExecutionStatus = 'Running' AND ${credentialWalletSyncAttribute.name} = '${WalletSync.outOfSync}'`;
      for await (const execution of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
        const tenantId = execution.typedSearchAttributes.get(tenantIdAttribute);
        const prefix = `credential-${tenantId ?? ''}-`;
        // The workflow id is credential-<tenantId>-<credentialInstanceId> (domain/workflow-ids.ts).
        if (tenantId && execution.workflowId.startsWith(prefix)) found.push({ tenantId, credentialInstanceId: execution.workflowId.slice(prefix.length) });
        if (found.length >= limit) break;
      }
      return found;
    },

    async holderDataChanged(ref) {
      try {
        await handle(ref).signal(holderDataChangedSignal);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    },

    async state(ref) {
      try {
        return await handle(ref).query(credentialLifecycleStateQuery);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return null;
        throw error;
      }
    },
  };
}
