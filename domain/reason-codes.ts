/** Every reasonCode this server emits in a VerificationStatus (profile §Reason codes). */
export const ReasonCode = {
  noUsableVerificationType: 'NO_USABLE_VERIFICATION_TYPE',
  deniedByIssuer: 'DENIED_BY_ISSUER',
  rejectedByIssuer: 'REJECTED_BY_ISSUER',
  cancelled: 'CANCELLED',
  deadlineExceeded: 'DEADLINE_EXCEEDED',
  maxAttemptsExceeded: 'MAX_ATTEMPTS_EXCEEDED',
  /** The verification's workflow ended without a decision (failed, or terminated by an operator). */
  verificationAborted: 'VERIFICATION_ABORTED',
} as const;
export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode];
