import { defineQuery } from '@temporalio/workflow';
import type { IssuerAction, ManageOutcome } from '../../domain/credential-lifecycle';

/**
 * A lifecycle change of every credential instance on one Wallet Server (profile §29, mass
 * changes): the back office's mass revocation or suspension. Identifiers and codes only.
 */
export interface CredentialLifecycleBatchInput {
  batchId: string;
  tenantId: string;
  action: IssuerAction;
  reason?: string;
  /** Instances read and changed per step (one activity each). */
  pageSize: number;
}

/** How far a batch has come; carried across continue-as-new. */
export interface CredentialLifecycleBatchProgress {
  /** The last instance handled (instances are taken in _id order). */
  after?: string;
  instances: number;
  outcomes: Partial<Record<ManageOutcome | 'ENDED', number>>;
  done: boolean;
}

export const credentialLifecycleBatchProgressQuery = defineQuery<CredentialLifecycleBatchProgress>('credentialLifecycleBatchProgress');

/** Workflow id of a batch: one per back-office request (its requestId), so a retried request attaches to it. */
export function credentialLifecycleBatchWorkflowId(batchId: string): string {
  return `credential-lifecycle-batch-${batchId}`;
}
