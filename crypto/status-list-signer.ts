import { createPrivateKey, sign, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CredentialSigner } from '../domain/credential-formats/format';

/** JWS algorithm → the digest node:crypto signs with (EdDSA signs the data itself). */
const digests: Readonly<Record<string, string | null>> = { ES256: 'sha256', ES384: 'sha384', ES512: 'sha512', EdDSA: null };

/**
 * The Status List Tokens' signer in the API process: the first `signing` key of the issuer key
 * file (a private JWK with `alg` and `kid`), held in memory. It is a CredentialSigner like the
 * credentials' own, so an HSM-backed signer can replace it without touching the token code.
 */
export function createStatusListSigner(jwk: JsonWebKey & { alg?: string; kid?: string }): CredentialSigner {
  const alg = jwk.alg ?? 'ES256';
  if (!(alg in digests)) throw new Error(`status list signing key: unsupported alg ${alg}`);
  if (!jwk.d) throw new Error('status list signing key has no private part');
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  return {
    alg,
    ...(jwk.kid ? { keyId: jwk.kid } : {}),
    // JWS and COSE both want ECDSA signatures as r || s (RFC 7518 §3.4, RFC 9053 §2.1).
    sign: (data) => Promise.resolve(new Uint8Array(sign(digests[alg] ?? null, data, { key, dsaEncoding: 'ieee-p1363' }))),
  };
}

/** Reads the signing key from the issuer key file (`{ "signing": [privateJwk, …] }`). */
export function loadStatusListSigner(issuerKeysFile: string): CredentialSigner {
  const file = JSON.parse(readFileSync(issuerKeysFile, 'utf8')) as { signing?: (JsonWebKey & { alg?: string; kid?: string })[] };
  const [jwk] = file.signing ?? [];
  if (!jwk) throw new Error(`${issuerKeysFile}: no signing key for Status List Tokens`);
  return createStatusListSigner(jwk);
}
