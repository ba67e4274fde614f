import { Type, type Static } from '@sinclair/typebox';
import { problems } from './problems';
import { Uuid } from './schemas/common';
import { VerificationDataItemRequest } from './schemas/verification';

/**
 * Verdicts: decisions made outside the VerificationWorkflow, by an asynchronous verification
 * provider or a reviewer (profile §12 Verdicts, §Manual review). Each schema is defined once
 * here: the admin API validates requests with them, and the verdict signal's type is inferred
 * from VerificationVerdict (workflows import the type only).
 */

export const VerdictOutcome = Type.Union([
  Type.Literal('APPROVED'),
  Type.Literal('DENIED'),
  Type.Literal('REJECTED'),
  Type.Literal('ADDITIONAL_INFO_REQUIRED'),
]);

/** What a verdict decides, whoever decides it. Codes and texts for the holder only, no personal data. */
export const VerdictDecision = Type.Object({
  outcome: VerdictOutcome,
  reasonCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Z0-9_]+$' })),
  message: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'DENIED: shown to the holder; REJECTED: details for logs' })),
  /** The items to ask for when the outcome is ADDITIONAL_INFO_REQUIRED. */
  request: Type.Optional(Type.Array(VerificationDataItemRequest, { minItems: 1, maxItems: 16 })),
});
export type VerdictDecision = Static<typeof VerdictDecision>;

/** The verdict signal's payload: the decision and who made it, for the audit trail. */
export const VerificationVerdict = Type.Object({
  ...VerdictDecision.properties,
  source: Type.Union([Type.Literal('provider'), Type.Literal('reviewer')]),
  /** Provider name or reviewer id. */
  decidedBy: Type.String({ minLength: 1 }),
});
export type VerificationVerdict = Static<typeof VerificationVerdict>;

/** Admin API: a reviewer's decision on a review case (profile §Manual review). */
export const ReviewDecisionRequest = VerdictDecision;
export type ReviewDecisionRequest = VerdictDecision;

/** Admin API: an asynchronous verification provider's verdict on a verification (profile §12). */
export const ProviderVerdictRequest = Type.Object({
  tenantId: Type.String({ minLength: 1 }),
  sessionId: Uuid,
  verificationId: Uuid,
  /**
   * Optional and never trusted: the provider is the one the caller's credential speaks for
   * (profile §16 Admin credentials); a body naming another provider is refused.
   */
  provider: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' })),
  ...VerdictDecision.properties,
});
export type ProviderVerdictRequest = Static<typeof ProviderVerdictRequest>;

/**
 * Profile §12: what a schema cannot say about a verdict. A denial explains itself to the holder
 * (reasonCode and message), and a request for more data says what to ask for.
 */
export function requireCompleteVerdict(verdict: VerdictDecision): void {
  if (verdict.outcome === 'DENIED' && !(verdict.reasonCode && verdict.message)) {
    throw problems.invalidRequest('A denial needs a reasonCode and a message for the holder', [{ pointer: '/message', message: 'is required for DENIED' }]);
  }
  if (verdict.outcome === 'ADDITIONAL_INFO_REQUIRED' && !verdict.request) {
    throw problems.invalidRequest('Say what to ask for', [{ pointer: '/request', message: 'is required for ADDITIONAL_INFO_REQUIRED' }]);
  }
}
