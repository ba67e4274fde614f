import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  credentialLifecycleBatchProgressQuery,
  credentialLifecycleBatchWorkflowId,
  type CredentialLifecycleBatchInput,
  type CredentialLifecycleBatchProgress,
} from '../../workflows/credential-lifecycle-batch/messages';
import type { credentialLifecycleBatchWorkflow } from '../../workflows/credential-lifecycle-batch/workflow';
import { tenantIdAttribute } from '../../workflows/verification/search-attributes';

/** The back office's mass lifecycle changes (profile §29): one CredentialLifecycleBatchWorkflow each. */
export function createCredentialLifecycleBatches(client: Client, options: { taskQueue: string }) {
  return {
    /** Starts the batch; a retried request (the same batchId) attaches to the one started first. */
    async start(input: CredentialLifecycleBatchInput): Promise<void> {
      try {
        await client.workflow.start<typeof credentialLifecycleBatchWorkflow>('credentialLifecycleBatchWorkflow', {
          workflowId: credentialLifecycleBatchWorkflowId(input.batchId),
          taskQueue: options.taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          ...('tenantId' in input ? { typedSearchAttributes: [{ key: tenantIdAttribute, value: input.tenantId }] } : {}),
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    },

    /** How far the batch has come; null for a batch never started. */
    async progress(batchId: string): Promise<CredentialLifecycleBatchProgress | null> {
      const handle = client.workflow.getHandle<typeof credentialLifecycleBatchWorkflow>(credentialLifecycleBatchWorkflowId(batchId));
      try {
        const { status } = await handle.describe();
        return status.name === 'COMPLETED' ? await handle.result() : await handle.query(credentialLifecycleBatchProgressQuery);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return null;
        throw error;
      }
    },
  };
}
export type CredentialLifecycleBatches = ReturnType<typeof createCredentialLifecycleBatches>;
