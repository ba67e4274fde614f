import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { VerificationDecision } from '../../domain/schemas/verification';

/** Workflow id for a tenant's session: one VerificationWorkflow per (Wallet Server, sessionId). */
export function verificationWorkflowId(tenantId: string, sessionId: string): string {
  return `verification-${tenantId}-${sessionId}`;
}

export interface VerificationWorkflowInput {
  tenantId: string;
  sessionId: string;
  verificationId: string;
  /** Reference to the verification data stored with the session (never the data itself). */
  verificationDataRef?: string;
  /** Bound on how long the initiate call waits for the first decision. */
  initialDecisionWaitMs: number;
  /** A session that reaches no final state within this time becomes EXPIRED. */
  idleExpiryMs: number;
}

export interface VerificationWorkflowResult {
  decision: VerificationDecision;
}

/** The current status (no identifiers: the caller has them). */
export const verificationStatusQuery = defineQuery<VerificationDecision>('verificationStatus');

/**
 * Used with update-with-start by /verification/initiate: resolves with the first decision,
 * or with the status at the end of initialDecisionWaitMs (then usually PENDING).
 */
export const firstDecisionUpdate = defineUpdate<VerificationDecision>('firstDecision');
