import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { compactVerify, decodeJwt, importJWK, type JWK } from 'jose';
import type { PresentationVerifier } from '../domain/verification-types/credential-presentation';

/**
 * Verifies an SD-JWT VC presentation with key binding (draft-ietf-oauth-sd-jwt-vc) against the
 * issuers this issuer trusts: the issuer-signed JWT by a trusted issuer's key, the disclosures,
 * and the KB-JWT by the key in `cnf`, with `nonce` and `aud` bound to this verification.
 */
export interface TrustedCredentialIssuer {
  /** The `iss` of its SD-JWT VCs. */
  issuer: string;
  /** Its public signing keys. */
  keys: (JWK & { alg: string })[];
  /** The credential types (`vct`) accepted from it. */
  vcts: string[];
}

export type PresentationCheck =
  | { valid: true; vct: string; issuer: string; claims: Record<string, unknown> }
  | { valid: false; reason: 'UNTRUSTED_ISSUER' | 'INVALID_PRESENTATION' | 'WRONG_AUDIENCE' | 'UNACCEPTED_TYPE' };

const signatureAlgorithms = ['ES256', 'ES384', 'EdDSA', 'Ed25519'];

async function verifyCompact(compact: string, jwk: JWK & { alg?: string }): Promise<boolean> {
  if (!jwk.alg || !signatureAlgorithms.includes(jwk.alg)) return false;
  try {
    await compactVerify(compact, await importJWK(jwk, jwk.alg), { algorithms: [jwk.alg] });
    return true;
  } catch {
    return false;
  }
}

export async function verifySdJwtVcPresentation(
  presentation: string,
  options: { trusted: readonly TrustedCredentialIssuer[]; audience: string; nonce: string; now?: Date },
): Promise<PresentationCheck> {
  let issuer: TrustedCredentialIssuer | undefined;
  try {
    const iss = decodeJwt(presentation.split('~')[0] ?? '').iss;
    issuer = options.trusted.find((t) => t.issuer === iss);
  } catch {
    return { valid: false, reason: 'INVALID_PRESENTATION' };
  }
  if (!issuer) return { valid: false, reason: 'UNTRUSTED_ISSUER' };
  const keys = issuer.keys;

  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    verifier: async (data, signature) => {
      for (const key of keys) if (await verifyCompact(`${data}.${signature}`, key)) return true;
      return false;
    },
    kbVerifier: async (data, signature, payload) => {
      const holderKey = (payload.cnf as { jwk?: JWK } | undefined)?.jwk;
      return holderKey ? verifyCompact(`${data}.${signature}`, { ...holderKey, alg: holderKey.alg ?? decodeHeaderAlg(data) }) : false;
    },
  });
  let result;
  try {
    result = await sdjwt.verify(presentation, { keyBindingNonce: options.nonce, currentDate: Math.floor((options.now ?? new Date()).getTime() / 1000) });
  } catch {
    return { valid: false, reason: 'INVALID_PRESENTATION' };
  }
  if (!result.kb) return { valid: false, reason: 'INVALID_PRESENTATION' };
  if (result.kb.payload.aud !== options.audience) return { valid: false, reason: 'WRONG_AUDIENCE' };
  const vct = String(result.payload.vct);
  if (!issuer.vcts.includes(vct)) return { valid: false, reason: 'UNACCEPTED_TYPE' };
  return { valid: true, vct, issuer: issuer.issuer, claims: result.payload as Record<string, unknown> };
}

function decodeHeaderAlg(signingInput: string): string | undefined {
  try {
    return (JSON.parse(Buffer.from(signingInput.split('.')[0] ?? '', 'base64url').toString()) as { alg?: string }).alg;
  } catch {
    return undefined;
  }
}

/**
 * The credential-presentation type's check (domain/verification-types/credential-presentation.ts):
 * the KB-JWT's `nonce` is the verificationId and its `aud` the issuer's URL.
 */
export function createPresentationVerifier(options: { trusted: readonly TrustedCredentialIssuer[]; audience: string }): PresentationVerifier {
  return {
    verify: (presentation, nonce) => verifySdJwtVcPresentation(presentation, { trusted: options.trusted, audience: options.audience, nonce }),
  };
}
