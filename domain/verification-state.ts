import { ReasonCode } from './reason-codes';
import type { VerificationDecision } from './schemas/verification';

/**
 * S2S §Verification Status values, without any runtime dependency so that workflow code
 * can import them (workflows/ may import only pure domain modules).
 */
export const VerificationState = {
  pending: 'PENDING',
  additionalInfoRequired: 'ADDITIONAL_INFO_REQUIRED',
  rejected: 'REJECTED',
  denied: 'DENIED',
  approved: 'APPROVED',
  expired: 'EXPIRED',
} as const;
export type VerificationState = (typeof VerificationState)[keyof typeof VerificationState];

/** Terminal states: the workflow completes once it reaches one (S2S §Verification Status, "Flow ends"). */
export const terminalStates: readonly VerificationState[] = [VerificationState.approved, VerificationState.denied, VerificationState.expired];

export function isTerminal(state: VerificationState): boolean {
  return terminalStates.includes(state);
}

/** States in which the wallet is expected to send (more) verification data (S2S §Supplement). */
export function awaitsVerificationData(decision: Pick<VerificationDecision, 'status'>): boolean {
  return decision.status === VerificationState.additionalInfoRequired || decision.status === VerificationState.rejected;
}

/**
 * Profile §Reconciliation: the final status of a verification whose workflow closed without
 * reaching one (it failed, or an operator terminated it). The wallet may re-verify.
 */
export function abortedDecision(): { status: 'DENIED'; reasonCode: string; deniedMessage: string } {
  return {
    status: VerificationState.denied,
    reasonCode: ReasonCode.verificationAborted,
    deniedMessage: 'The verification could not be completed; please start again.',
  };
}
