import { createPrivateKey, createPublicKey, sign, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { CredentialSigner } from '../domain/credential-formats/format';

/**
 * A CredentialSigner (domain/credential-formats/format.ts) over a private key held in this
 * process. The key is imported once into a KeyObject kept in a closure: the signer exposes its
 * algorithm, key id and certificate chain, never the key. An HSM-backed signer implements the
 * same interface.
 */

/**
 * The JWS algorithms (RFC 7518 §3.4, RFC 8037 §3.1) a credential signing key may have, with the
 * key shape each needs. ECDSA signatures come out as r || s of fixed length (RFC 7518 §3.4), the
 * form both JWS and COSE (RFC 9053 §2.1) carry.
 */
const credentialSigningAlgorithms = {
  ES256: { kty: 'EC', crv: 'P-256', hash: 'sha256', signatureBytes: 64 },
  ES384: { kty: 'EC', crv: 'P-384', hash: 'sha384', signatureBytes: 96 },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', hash: null, signatureBytes: 64 },
} as const;
export type CredentialSigningAlgorithm = keyof typeof credentialSigningAlgorithms;
export const supportedCredentialSigningAlgorithms = Object.keys(credentialSigningAlgorithms) as CredentialSigningAlgorithm[];

export function isCredentialSigningAlgorithm(alg: string): alg is CredentialSigningAlgorithm {
  return Object.hasOwn(credentialSigningAlgorithms, alg);
}

export interface SoftwareSignerOptions {
  /** The private JWK (`d` included); read once, not kept. */
  privateJwk: JsonWebKey;
  alg: string;
  /**
   * Base64 DER, leaf first, the leaf certifying this key. A self-signed last certificate (the
   * trust anchor) is not passed on to `x5c`/`x5chain`: the verifier must already hold it
   * (OpenID4VC HAIP: the trust anchor is not included in x5c; RFC 5280 §6.1 starts path
   * validation from a trust anchor the verifier holds).
   */
  certificateChain: readonly string[];
  keyId?: string;
}

/** The same public key: curve and coordinates (EC), or curve and x (OKP). */
function samePublicKey(a: JsonWebKey, b: JsonWebKey): boolean {
  return a.kty === b.kty && a.crv === b.crv && a.x === b.x && a.y === b.y;
}

/** True for a self-signed certificate: its own issuer, and its own key verifies it. */
function isSelfSigned(certificate: X509Certificate): boolean {
  return certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey);
}

/** The chain as carried in x5c: leaf first, without a self-signed trust anchor at the end. */
export function chainWithoutTrustAnchor(chain: readonly string[]): string[] {
  const last = chain.at(-1);
  if (chain.length > 1 && last !== undefined && isSelfSigned(new X509Certificate(Buffer.from(last, 'base64')))) return chain.slice(0, -1);
  return [...chain];
}

export function createSoftwareSigner(options: SoftwareSignerOptions): CredentialSigner {
  const { alg } = options;
  if (!isCredentialSigningAlgorithm(alg)) {
    throw new Error(`credential signing algorithm ${alg} is not supported; use one of ${supportedCredentialSigningAlgorithms.join(', ')}`);
  }
  const spec = credentialSigningAlgorithms[alg];
  if (options.privateJwk.kty !== spec.kty || options.privateJwk.crv !== spec.crv) {
    throw new Error(`a ${alg} signing key must be kty ${spec.kty} with crv ${spec.crv}`);
  }
  if (typeof options.privateJwk.d !== 'string') throw new Error('the signing JWK has no private part (d)');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: options.privateJwk, format: 'jwk' });
  } catch {
    throw new Error(`the signing JWK is not a valid ${spec.crv} private key`);
  }
  const leafDer = options.certificateChain[0];
  if (leafDer === undefined) throw new Error('a credential signing key needs its certificate chain (x5c), leaf first');
  const leaf = new X509Certificate(Buffer.from(leafDer, 'base64'));
  // A certificate for another key would make every credential fail verification: refused here, at start.
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (!samePublicKey(publicJwk, leaf.publicKey.export({ format: 'jwk' }))) {
    throw new Error('the leaf certificate does not certify the signing key');
  }
  const certificateChain = Object.freeze(chainWithoutTrustAnchor(options.certificateChain));

  return Object.freeze({
    alg,
    ...(options.keyId === undefined ? {} : { keyId: options.keyId }),
    certificateChain,
    sign(data: Uint8Array): Promise<Uint8Array> {
      // ieee-p1363: r || s, each the curve's size (RFC 7518 §3.4), not DER.
      const signature = sign(spec.hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return Promise.resolve(new Uint8Array(signature));
    },
  });
}
