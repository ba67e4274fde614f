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
