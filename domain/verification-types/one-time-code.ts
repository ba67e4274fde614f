import type { VerificationEvaluator, VerificationTypeDescription } from './evaluator';

/**
 * A one-time code the issuer sent to the holder through its own channel (profile §One-time
 * codes). Item fields: `holderAccountId` and `code` (8 digits); from the Wallet Client only, in a
 * Client Encrypted Payload. The code is looked up for the verification's own tenant only. A
 * wrong code is REJECTED (the wallet may try again, within the attempts); too many wrong tries
 * lock it.
 *
 * Every refusal of the code itself answers the same reason code: telling "no code for this
 * account" from "wrong code" (or expired, used, locked, for other configurations) would let a
 * Wallet Server probe which accounts have a code.
 */
export const oneTimeCodeType = 'urn:s2s-issuer:verification-type:one-time-code';

export const oneTimeCodeDescription: VerificationTypeDescription = {
  type: oneTimeCodeType,
  description: "One-time code delivered through the issuer's own channel (Wallet Client only)",
};

/** The one reason code of every refused code (profile §Reason codes). */
export const oneTimeCodeInvalid = 'OTP_INVALID';

export interface OneTimeCodeCheckPort {
  check(
    tenantId: string,
    holderAccountId: string,
    code: string,
    by: string,
    credentialConfigurationIds: string[],
  ): Promise<'accepted' | 'incorrect' | 'locked' | 'expired' | 'unknown' | 'used' | 'not_for_configuration'>;
}

export function createOneTimeCodeEvaluator(codes: OneTimeCodeCheckPort): VerificationEvaluator {
  return {
    ...oneTimeCodeDescription,
    async evaluate(item, context) {
      if (context.origin !== 'WALLET_CLIENT') return { verdict: 'rejected', reasonCode: 'CODE_NOT_FROM_CLIENT' };
      if (typeof item.holderAccountId !== 'string' || typeof item.code !== 'string' || !/^\d{8}$/.test(item.code)) {
        return { verdict: 'rejected', reasonCode: 'CODE_MALFORMED' };
      }
      const result = await codes.check(
        context.tenantId,
        item.holderAccountId,
        item.code,
        `${context.tenantId}/${context.sessionId}/${context.verificationId}`,
        context.credentialConfigurationIds,
      );
      return result === 'accepted' ? { verdict: 'satisfied' } : { verdict: 'rejected', reasonCode: oneTimeCodeInvalid };
    },
  };
}
