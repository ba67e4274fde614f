import { webcrypto } from 'node:crypto';
import type { ImportedSigningKey } from './public-jwk';

const base64url = /^[A-Za-z0-9_-]+$/;

export type NonceCheck = { valid: true } | { valid: false; reason: string };

/**
 * S2S §Replay Protection: verificationNonce is the Wallet Signing Key's signature over sessionId.
 * Profile §Verification nonce fixes the encoding: the signed bytes are the UTF-8 encoding of
 * sessionId exactly as sent; the signature is the JWS form for the key's alg (RFC 7518 §3.4:
 * ECDSA as the fixed-length R||S, not DER; Ed25519 as its 64 bytes), base64url without padding.
 * For a re-verification the signed value is "<sessionId>.<previousVerificationId>" (profile §Re-verification).
 */
export async function verifyVerificationNonce(signedValue: string, nonce: string, signingKey: ImportedSigningKey): Promise<NonceCheck> {
  if (!base64url.test(nonce)) return { valid: false, reason: 'verificationNonce is not base64url without padding' };
  const signature = Buffer.from(nonce, 'base64url');
  if (signature.length !== signingKey.signatureBytes) {
    return { valid: false, reason: `verificationNonce must be a ${signingKey.signatureBytes}-byte ${signingKey.alg} signature, got ${signature.length} bytes` };
  }
  const ok = await webcrypto.subtle.verify(signingKey.verifyParams, signingKey.key, signature, Buffer.from(signedValue, 'utf8'));
  return ok ? { valid: true } : { valid: false, reason: 'verificationNonce is not a signature over sessionId by walletSigningKeyData' };
}
