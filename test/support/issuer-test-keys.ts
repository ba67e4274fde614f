import { exportJWK, generateKeyPair, calculateJwkThumbprint } from 'jose';
import type { HpkeJwk } from '../../crypto/jwe-hpke';
import type { IssuerKeys } from '../../crypto/issuer-keys';

/** A fresh HPKE key pair as JWKs, kid = RFC 7638 thumbprint (as in the draft's vectors). */
export async function generateHpkeKey(alg = 'HPKE-0-KE'): Promise<HpkeJwk & { d: string }> {
  const crv = /^HPKE-(3|4)/.test(alg) ? 'X25519' : /^HPKE-1/.test(alg) ? 'P-384' : 'P-256';
  const { privateKey } = await generateKeyPair('ECDH-ES', { crv, extractable: true });
  const jwk = (await exportJWK(privateKey)) as HpkeJwk & { d: string };
  const kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) } as Parameters<typeof calculateJwkThumbprint>[0]);
  return { ...jwk, alg, use: 'enc', kid };
}

/** Two active issuer encryption keys of different suites, as after a rotation. */
export async function generateIssuerKeys(): Promise<IssuerKeys> {
  return { encryption: [{ jwk: await generateHpkeKey('HPKE-0-KE') }, { jwk: await generateHpkeKey('HPKE-3-KE') }] };
}
