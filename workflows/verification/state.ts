import type { VerificationDecision } from '../../domain/schemas/verification';
import { ReasonCode } from '../../domain/reason-codes';
import { awaitsVerificationData, VerificationState } from '../../domain/verification-state';

/**
 * The rules of the VerificationWorkflow's state machine (S2S §Verification Status), as pure
 * functions of its state so that they are unit-testable and replay-safe. Profile §Verification
 * state machine describes them for Wallet Servers.
 */
export interface VerificationLimits {
  /** How long a VerificationDataRequest stays open: its `deadline` (S2S §VerificationDataRequest Schema). */
  requestDeadlineMs: number;
  /** Supplements a verification accepts in all: its `maxAttempts`. */
  maxAttempts: number;
  /** A verification with no status change for this long becomes EXPIRED. */
  idleExpiryMs: number;
}

/** Profile §Cancellation: a cancelled verification reports DENIED with reasonCode CANCELLED. */
export function cancelledDecision(): VerificationDecision {
  return { status: VerificationState.denied, reasonCode: ReasonCode.cancelled, deniedMessage: 'The verification was cancelled.' };
}

/** S2S §VerificationDataRequest: "after which the Verification will be DENIED". */
export function afterAttempt(decision: VerificationDecision, attemptsUsed: number, limits: VerificationLimits): VerificationDecision {
  if (awaitsVerificationData(decision) && attemptsUsed >= limits.maxAttempts) {
    return { status: VerificationState.denied, reasonCode: ReasonCode.maxAttemptsExceeded, deniedMessage: 'Too many attempts to provide verification data.' };
  }
  return decision;
}

/** Adds the request's deadline and the attempts left to an ADDITIONAL_INFO_REQUIRED decision. */
export function withRequestLimits(
  decision: VerificationDecision,
  deadlineAtMs: number,
  attemptsUsed: number,
  limits: VerificationLimits,
): VerificationDecision {
  if (decision.status !== VerificationState.additionalInfoRequired) return decision;
  return {
    ...decision,
    verificationDataRequest: {
      ...decision.verificationDataRequest,
      deadline: new Date(deadlineAtMs).toISOString(),
      maxAttempts: Math.max(1, limits.maxAttempts - attemptsUsed),
    },
  };
}

export function deadlineExceededDecision(): VerificationDecision {
  return {
    status: VerificationState.denied,
    reasonCode: ReasonCode.deadlineExceeded,
    deniedMessage: 'The requested verification data did not arrive in time.',
  };
}
