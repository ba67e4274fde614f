import type { VerificationEvaluator, VerificationTypeDescription } from './evaluator';

/**
 * Presentation of a credential the holder already has from a trusted issuer (profile
 * §Verification types): an SD-JWT VC with key binding, whose KB-JWT `nonce` is this
 * verificationId and `aud` the issuer's URL, so it cannot be replayed into another verification.
 * Item field: `presentation` (the compact SD-JWT VC `~` form). From the Wallet Client only.
 */
export const credentialPresentationType = 'urn:s2s-issuer:verification-type:credential-presentation';

export const credentialPresentationDescription: VerificationTypeDescription = {
  type: credentialPresentationType,
  description: 'SD-JWT VC presentation with key binding (nonce = verificationId) from a trusted issuer',
};

export interface PresentationVerifier {
  verify(presentation: string, nonce: string): Promise<{ valid: true } | { valid: false; reason: string }>;
}

export function createCredentialPresentationEvaluator(verifier: PresentationVerifier): VerificationEvaluator {
  return {
    ...credentialPresentationDescription,
    async evaluate(item, context) {
      if (context.origin !== 'WALLET_CLIENT') return { verdict: 'rejected', reasonCode: 'PRESENTATION_NOT_FROM_CLIENT' };
      if (typeof item.presentation !== 'string' || !item.presentation.includes('~')) return { verdict: 'rejected', reasonCode: 'PRESENTATION_MALFORMED' };
      const check = await verifier.verify(item.presentation, context.verificationId);
      return check.valid ? { verdict: 'satisfied' } : { verdict: 'rejected', reasonCode: `PRESENTATION_${check.reason}` };
    },
  };
}
