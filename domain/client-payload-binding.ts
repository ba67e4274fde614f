/**
 * Profile §11 (Binding a Client Encrypted Payload): the signed JWS payload names the request it
 * was made for, so a Wallet Server cannot replay a payload the Wallet Client signed for one
 * verification into another one of the same session. S2S §Client Encrypted Payload only asks
 * for `aud`; S2S §Replay Protection protects the initiate request itself (verificationNonce),
 * not the payloads it carries, and the draft has no issuer nonce the Wallet Client could sign.
 *
 * The binding claims, with the value the request must carry:
 * - `sessionId`: always, the request's sessionId;
 * - `verificationId`: in a supplement, the request's verificationId; absent in an initiate (the
 *   verificationId does not exist yet when the Wallet Client signs);
 * - `previousVerificationId`: in a re-verification initiate (profile §19), the previous
 *   verificationId it names; absent otherwise.
 * Each context (first initiate, re-verification of V, supplement to V) thus has its own claim
 * set, and each sessionId initiates once and each verification is re-verified once. Within one
 * verification, `iat` limits how long a payload can be sent again.
 */
export interface ClientPayloadBinding {
  sessionId: string;
  /** In a supplement. */
  verificationId?: string;
  /** In a re-verification initiate. */
  previousVerificationId?: string;
}

/** The claims that bind a payload; they frame the VerificationDataItem and are not part of it. */
export const bindingClaims = ['sessionId', 'verificationId', 'previousVerificationId'] as const;

/** Default for how far `iat` may lie from the issuer's clock, either way (profile §11). */
export const defaultClientPayloadIatWindowMs = 5 * 60 * 1000;

export type BindingCheck = { bound: true } | { bound: false; claim: string; reason: string };

const isNumericDate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Checks a verified JWS payload against the request it arrived in: the binding claims above, and
 * `iat` (RFC 7519 §4.1.6, seconds) within `iatWindowMs` of `now` either way. An `exp` or `nbf`
 * that the payload carries is honoured too (RFC 7519 §4.1.4, §4.1.5; `nbf` with the same leeway).
 */
export function checkClientPayloadBinding(
  claims: Record<string, unknown>,
  expected: ClientPayloadBinding,
  options: { now: number; iatWindowMs: number },
): BindingCheck {
  for (const claim of bindingClaims) {
    const want = expected[claim];
    const got = claims[claim];
    if (want === undefined) {
      if (got !== undefined) return { bound: false, claim, reason: `${claim} must be absent in this request: the payload was made for another one` };
    } else if (got === undefined) {
      return { bound: false, claim, reason: `${claim} is required: the payload must name the request it was made for` };
    } else if (got !== want) {
      return { bound: false, claim, reason: `${claim} is not this request's ${claim}: the payload was made for another one` };
    }
  }

  const nowSeconds = options.now / 1000;
  const windowSeconds = options.iatWindowMs / 1000;
  if (claims.iat === undefined) return { bound: false, claim: 'iat', reason: 'iat is required' };
  if (!isNumericDate(claims.iat)) return { bound: false, claim: 'iat', reason: 'iat must be a NumericDate (seconds since the epoch)' };
  if (Math.abs(nowSeconds - claims.iat) > windowSeconds) {
    return { bound: false, claim: 'iat', reason: `iat is more than ${windowSeconds} s from the issuer's clock` };
  }
  if (claims.exp !== undefined && !(isNumericDate(claims.exp) && nowSeconds < claims.exp)) {
    return { bound: false, claim: 'exp', reason: 'the payload has expired (exp)' };
  }
  if (claims.nbf !== undefined && !(isNumericDate(claims.nbf) && claims.nbf <= nowSeconds + windowSeconds)) {
    return { bound: false, claim: 'nbf', reason: 'the payload is not valid yet (nbf)' };
  }
  return { bound: true };
}
