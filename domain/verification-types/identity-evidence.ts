import type { VerificationEvaluator, VerificationTypeDescription } from './evaluator';

/**
 * Identity evidence collected by the Wallet Client (document images, a selfie), to be judged by
 * a person: the verification enters the manual review queue (profile §Verification types).
 * Item fields: `documentType` and the references `documentImageRefs` (1–4) and `selfieRef`.
 * Must come from the Wallet Client (a Client Encrypted Payload), never from the Wallet Server.
 */
export const identityEvidenceType = 'urn:s2s-issuer:verification-type:identity-evidence';

export const identityEvidenceDescription: VerificationTypeDescription = {
  type: identityEvidenceType,
  description: 'Document images and a selfie from the Wallet Client, reviewed by a person',
};

export const identityEvidenceEvaluator: VerificationEvaluator = {
  ...identityEvidenceDescription,
  async evaluate(item, context) {
    if (context.origin !== 'WALLET_CLIENT')
      return { verdict: 'rejected', reasonCode: 'EVIDENCE_NOT_FROM_CLIENT', details: 'identity evidence must be a Client Encrypted Payload' };
    const images = item.documentImageRefs;
    const complete =
      typeof item.documentType === 'string' &&
      Array.isArray(images) &&
      images.length >= 1 &&
      images.length <= 4 &&
      images.every((ref) => typeof ref === 'string' && ref.length > 0) &&
      typeof item.selfieRef === 'string' &&
      item.selfieRef.length > 0;
    if (!complete)
      return { verdict: 'rejected', reasonCode: 'EVIDENCE_INCOMPLETE', details: 'documentType, documentImageRefs (1–4) and selfieRef are required' };
    return { verdict: 'review', reason: `identity evidence (${item.documentType}) needs a reviewer` };
  },
};
