import { defineQuery } from '@temporalio/workflow';
import type { IssuerAction, ManageOutcome } from '../../domain/credential-lifecycle';

/**
 * A change of many credential instances (profile §29): a lifecycle change of every instance on
 * one Wallet Server (the back office's mass revocation or suspension), or a new credential
 * metadata version told to every instance of one configuration (DISPLAY_DATA_UPDATED).
 * Identifiers and codes only.
 */
export type CredentialLifecycleBatchInput =
  | { batchId: string; tenantId: string; action: IssuerAction; reason?: string; pageSize: number }
  | { batchId: string; credentialConfigurationId: string; credentialMetadataVersion: string; pageSize: number };

/** How far a batch has come; carried across continue-as-new. */
export interface CredentialLifecycleBatchProgress {
  /** The last instance handled (instances are taken in _id order). */
  after?: string;
  instances: number;
  /** By outcome: a lifecycle change's (ENDED: the instance's lifecycle had ended), or NOTIFIED for a display update. */
  outcomes: Partial<Record<ManageOutcome | 'ENDED' | 'NOTIFIED', number>>;
  done: boolean;
}

export const credentialLifecycleBatchProgressQuery = defineQuery<CredentialLifecycleBatchProgress>('credentialLifecycleBatchProgress');

/** Workflow id of a batch: one per back-office request (its requestId), so a retried request attaches to it. */
export function credentialLifecycleBatchWorkflowId(batchId: string): string {
  return `credential-lifecycle-batch-${batchId}`;
}
