import { webcrypto } from 'node:crypto';
import type { PublicJwk } from '../domain/schemas/common';

/**
 * Signature algorithms accepted for the Wallet Signing Key (profile §Wallet Signing Key).
 * Each maps to the JWK shape it requires and the WebCrypto parameters that verify it.
 */
const signingAlgorithms = {
  ES256: {
    kty: 'EC',
    crv: 'P-256',
    importParams: { name: 'ECDSA', namedCurve: 'P-256' },
    verifyParams: { name: 'ECDSA', hash: 'SHA-256' },
    signatureBytes: 64,
  },
  ES384: {
    kty: 'EC',
    crv: 'P-384',
    importParams: { name: 'ECDSA', namedCurve: 'P-384' },
    verifyParams: { name: 'ECDSA', hash: 'SHA-384' },
    signatureBytes: 96,
  },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', importParams: { name: 'Ed25519' }, verifyParams: { name: 'Ed25519' }, signatureBytes: 64 },
  Ed25519: { kty: 'OKP', crv: 'Ed25519', importParams: { name: 'Ed25519' }, verifyParams: { name: 'Ed25519' }, signatureBytes: 64 },
} as const;
export type WalletSigningAlgorithm = keyof typeof signingAlgorithms;
export const walletSigningAlgorithms = Object.keys(signingAlgorithms) as WalletSigningAlgorithm[];

/** JWK members that only private or symmetric keys have (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export class UnusableKeyError extends Error {
  constructor(
    message: string,
    /** JSON Pointer suffix within the JWK, for field-level errors. */
    readonly member: string,
  ) {
    super(message);
  }
}

export interface ImportedSigningKey {
  alg: WalletSigningAlgorithm;
  key: webcrypto.CryptoKey;
  signatureBytes: number;
  verifyParams: (typeof signingAlgorithms)[WalletSigningAlgorithm]['verifyParams'];
}

/** Imports a wallet's public signing JWK, refusing private material and algorithm/key mismatches. */
export async function importWalletSigningKey(jwk: PublicJwk): Promise<ImportedSigningKey> {
  const found = privateMembers.find((m) => m in jwk);
  if (found) throw new UnusableKeyError(`the JWK contains the private member "${found}"; send the public key only`, found);
  if (!(jwk.alg in signingAlgorithms)) {
    throw new UnusableKeyError(`alg "${jwk.alg}" is not accepted; use one of ${walletSigningAlgorithms.join(', ')}`, 'alg');
  }
  const alg = jwk.alg as WalletSigningAlgorithm;
  const spec = signingAlgorithms[alg];
  if (jwk.kty !== spec.kty || jwk.crv !== spec.crv) {
    throw new UnusableKeyError(`alg ${alg} requires kty ${spec.kty} with crv ${spec.crv}`, jwk.kty !== spec.kty ? 'kty' : 'crv');
  }
  const { kty, crv, x, y } = jwk;
  try {
    const key = await webcrypto.subtle.importKey('jwk', { kty, crv, x, ...(y === undefined ? {} : { y }) }, spec.importParams, false, ['verify']);
    return { alg, key, signatureBytes: spec.signatureBytes, verifyParams: spec.verifyParams };
  } catch {
    throw new UnusableKeyError('the JWK is not a valid public key for its curve', 'x');
  }
}

/**
 * The members of a Wallet Signing Key that are stored and used (profile §5): its public key
 * (RFC 7518 §6.2.1 `kty`, `crv`, `x`, `y`; RFC 8037 §2 for OKP), `alg` and `kid`. Other members a
 * JWK may carry (RFC 7517 §4: `use`, `key_ops`, `x5c`, anything unregistered) are accepted on the
 * wire but not kept, so a session stores a public key and nothing a client chose to append.
 * Private members never reach here: importWalletSigningKey refuses them first.
 */
export function publicWalletSigningJwk(jwk: PublicJwk): PublicJwk {
  const { kty, crv, x, y, alg, kid } = jwk;
  return {
    kty,
    alg,
    ...(crv === undefined ? {} : { crv }),
    ...(x === undefined ? {} : { x }),
    ...(y === undefined ? {} : { y }),
    ...(kid === undefined ? {} : { kid }),
  };
}
