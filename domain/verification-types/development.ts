import type { VerificationEvaluator, VerificationTypeDescription } from './evaluator';

/**
 * Development verification types (profile §Verification types). They make no real check, so
 * the server registers them only when S2S_ENABLE_DEV_VERIFICATION_TYPES=true (the embedded
 * development stack and the tests); a production deployment never offers them.
 */
export const devApproveType = 'urn:s2s-issuer:verification-type:dev-approve';
export const devAdditionalInfoType = 'urn:s2s-issuer:verification-type:dev-additional-info';
export const devPendingType = 'urn:s2s-issuer:verification-type:dev-pending';

export const devApproveDescription: VerificationTypeDescription = { type: devApproveType, description: 'Development only: always satisfied' };
export const devAdditionalInfoDescription: VerificationTypeDescription = {
  type: devAdditionalInfoType,
  description: `Development only: answers ADDITIONAL_INFO_REQUIRED asking for a ${devApproveType} item`,
};
export const devPendingDescription: VerificationTypeDescription = {
  type: devPendingType,
  description: 'Development only: decided later by a verdict (PENDING until then)',
};

/** Always satisfied. */
export const devApproveEvaluator: VerificationEvaluator = {
  ...devApproveDescription,
  evaluate: async () => ({ verdict: 'satisfied' }),
};

/** Always asks for one more item, of the dev-approve type: exercises ADDITIONAL_INFO_REQUIRED. */
export const devAdditionalInfoEvaluator: VerificationEvaluator = {
  ...devAdditionalInfoDescription,
  evaluate: async (item) => ({
    verdict: 'needs_more',
    request: [{ type: devApproveType, id: `${item.id}-followup`, required: true }],
  }),
};

/** The provider a dev-pending item waits for when it names none. */
export const devPendingDefaultProvider = 'dev-provider';

/**
 * Leaves the decision to an asynchronous provider's verdict: exercises PENDING. The item may
 * name the provider (`provider`), so tests can tell one provider's credential from another's.
 */
export const devPendingEvaluator: VerificationEvaluator = {
  ...devPendingDescription,
  evaluate: async (item) => ({
    verdict: 'pending',
    provider: typeof item.provider === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(item.provider) ? item.provider : devPendingDefaultProvider,
  }),
};
