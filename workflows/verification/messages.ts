import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { VerificationDecision } from '../../domain/schemas/verification';
import type { VerificationVerdict } from '../../domain/verdicts';
import type { VerificationRequestSummary } from '../../activities/verification-activities';
import type { MessageProof } from '../../domain/message-proof';
import type { VerificationLimits } from './state';

export { verificationWorkflowId } from '../../domain/workflow-ids';
/** The types of the ApplicationFailures by which the Update validators refuse a message. */
export { VerificationRefusal, isVerificationRefusal } from '../../domain/verification-refusals';

export interface VerificationWorkflowInput {
  tenantId: string;
  sessionId: string;
  verificationId: string;
  /** Reference to the verification data stored with the session (never the data itself). */
  verificationDataRef?: string;
  /** Bound on how long initiate and supplement wait for the resulting decision. */
  initialDecisionWaitMs: number;
  /** A session that reaches no final state within this time becomes EXPIRED. */
  idleExpiryMs: number;
  /** Deadline of each VerificationDataRequest and the supplements allowed. */
  limits: Omit<VerificationLimits, 'idleExpiryMs'>;
  /** Task queue of calls to the Wallet Server (docs/architecture.md §Outbound calls); the workflow's own when absent. */
  outboundTaskQueue?: string;
  /** What the verification asked for (identifiers and counts), so activities need not read it back. */
  request?: VerificationRequestSummary;
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

export interface SupplementArgs {
  /** Must be this workflow's verificationId: a supplement for an older verification is refused. */
  verificationId: string;
  verificationDataRef: string;
  /** The API's proof of origin over the other members (domain/message-proof.ts). */
  proof?: MessageProof;
}

/**
 * /verification/supplement (S2S §Supplement). The validator refuses a supplement for a final
 * verification or one that awaits no data, before anything enters the history (a non-retryable
 * ApplicationFailure whose type is a VerificationRefusal); the result is the status after
 * evaluating it (bounded wait, then the current status).
 */
export const supplementUpdate = defineUpdate<VerificationDecision, [SupplementArgs]>('supplement');

export interface CancelArgs {
  verificationId: string;
  /** The Wallet Server's machine-readable reason (S2S §Verification Cancellation). */
  reason: string;
  /** The API's proof of origin over the other members (domain/message-proof.ts). */
  proof?: MessageProof;
}

/**
 * /verification/cancel (S2S §Verification Cancellation). Refused (VerificationRefusal.final) for
 * a verification already final other than by cancellation.
 */
export const cancelUpdate = defineUpdate<VerificationDecision, [CancelArgs]>('cancel');

/**
 * A decision made outside the workflow: an asynchronous verification provider's verdict or a
 * reviewer's decision (profile §Verdicts). Identifiers and codes only, no personal data. Its
 * schema and rules are in domain/verdicts.ts.
 */
export type { VerificationVerdict };

/** A verdict as the workflow receives it: with the API's proof of origin (domain/message-proof.ts). */
export type ProvenVerdict = VerificationVerdict & { proof?: MessageProof };

export const verdictSignal = defineSignal<[ProvenVerdict]>('verdict');
