import type { VerificationEvaluator, VerificationTypeDescription } from './evaluator';

/**
 * Authentication of the holder at the issuer's own surface, bound to this verification
 * (profile §Issuer-surface authentication). The Wallet Client sends an item of this type to ask
 * for it; the answer is ADDITIONAL_INFO_REQUIRED with a login URL (extension
 * `urn:s2s-issuer:authentication-url`) that carries a one-time handle. When the holder has logged
 * in, the issuer's surface completes the handle on the admin API, which approves the verification
 * with a verdict; the wallet learns it by notification or polling.
 */
export const issuerAuthenticationType = 'urn:s2s-issuer:verification-type:issuer-authentication';
export const authenticationUrlExtension = 'urn:s2s-issuer:authentication-url';

export const issuerAuthenticationDescription: VerificationTypeDescription = {
  type: issuerAuthenticationType,
  description: "The holder logs in at the issuer's website or app; the result is bound to this verification",
};

export interface AuthenticationStart {
  begin(ref: { tenantId: string; sessionId: string; verificationId: string }): Promise<string>;
}

export function createIssuerAuthenticationEvaluator(options: { start: AuthenticationStart; loginUrl: string }): VerificationEvaluator {
  return {
    ...issuerAuthenticationDescription,
    async evaluate(item, context) {
      if (context.origin !== 'WALLET_CLIENT') return { verdict: 'rejected', reasonCode: 'AUTHENTICATION_NOT_FROM_CLIENT' };
      const handle = await options.start.begin(context);
      const url = new URL(options.loginUrl);
      url.searchParams.set('handle', handle);
      return {
        verdict: 'needs_more',
        request: [{ type: issuerAuthenticationType, id: `${item.id}-login`, required: true, extensions: { [authenticationUrlExtension]: url.toString() } }],
      };
    },
  };
}
