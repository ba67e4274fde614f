import type { VerificationEvaluator, VerificationTypeDescription } from './evaluator';
import { identityEvidenceType } from './identity-evidence';

/**
 * A pre-authorized code from a Credential Offer the issuer created (engagement flows 3 and 4;
 * profile §Credential Offers). Item field: `preAuthorizedCode`. It is a bearer secret, so it is
 * accepted only inside a Client Encrypted Payload. The code is single use and must cover every
 * requested configuration. An offer made to an authenticated holder satisfies the verification;
 * one made to an unauthenticated holder asks for identity evidence next.
 */
export const preAuthorizedCodeType = 'urn:s2s-issuer:verification-type:pre-authorized-code';

export const preAuthorizedCodeDescription: VerificationTypeDescription = {
  type: preAuthorizedCodeType,
  description: 'Pre-authorized code from an issuer Credential Offer (single use, Wallet Client only)',
};

export interface OfferLookup {
  redeem(
    code: string,
    by: { tenantId: string; sessionId: string; verificationId: string },
  ): Promise<
    { outcome: 'redeemed'; offer: { credentialConfigurationIds: string[]; holderAuthenticated: boolean } } | { outcome: 'unknown' | 'expired' | 'used' }
  >;
}

export function createPreAuthorizedCodeEvaluator(offers: OfferLookup): VerificationEvaluator {
  return {
    ...preAuthorizedCodeDescription,
    async evaluate(item, context) {
      if (context.origin !== 'WALLET_CLIENT') return { verdict: 'rejected', reasonCode: 'CODE_NOT_FROM_CLIENT' };
      if (typeof item.preAuthorizedCode !== 'string' || item.preAuthorizedCode.length < 16) return { verdict: 'rejected', reasonCode: 'CODE_MALFORMED' };
      const redemption = await offers.redeem(item.preAuthorizedCode, context);
      if (redemption.outcome !== 'redeemed') return { verdict: 'rejected', reasonCode: `CODE_${redemption.outcome.toUpperCase()}` };
      const uncovered = context.credentialConfigurationIds.filter((id) => !redemption.offer.credentialConfigurationIds.includes(id));
      if (uncovered.length > 0) return { verdict: 'rejected', reasonCode: 'CODE_NOT_FOR_CONFIGURATION', details: `not offered: ${uncovered.join(', ')}` };
      if (redemption.offer.holderAuthenticated) return { verdict: 'satisfied' };
      return { verdict: 'needs_more', request: [{ type: identityEvidenceType, id: `${item.id}-proofing`, required: true }] };
    },
  };
}
