import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { parseHpkeAlg, publicHpkeJwk, type HpkeJwk, type JweDecryptionKey } from './jwe-hpke';

/**
 * The issuer's own keys (S2S §End to End Encryption): HPKE keys that Wallet Clients encrypt to,
 * published in the issuer metadata as `issuer_encryption_jwks`. Several are active at once so
 * they can be rotated: a sender names the one it used with `kid`. Private parts stay in this
 * process: never logged, never passed to Temporal.
 */
export interface IssuerKeys {
  encryption: readonly JweDecryptionKey[];
}

interface IssuerKeyFile {
  encryption?: (HpkeJwk & { d?: string })[];
}

export function parseIssuerKeys(file: IssuerKeyFile, source: string): IssuerKeys {
  const encryption = (file.encryption ?? []).map((jwk, i) => {
    if (!jwk.d) throw new Error(`${source}: encryption key ${i} has no private part`);
    if (!jwk.kid) throw new Error(`${source}: encryption key ${i} has no kid`);
    if (!parseHpkeAlg(jwk.alg)) throw new Error(`${source}: encryption key ${jwk.kid} has alg ${String(jwk.alg)}, not an HPKE algorithm`);
    return { jwk: { ...jwk, d: jwk.d } };
  });
  if (encryption.length === 0) throw new Error(`${source}: no encryption keys`);
  const kids = new Set(encryption.map((k) => k.jwk.kid));
  if (kids.size !== encryption.length) throw new Error(`${source}: encryption key kids must be unique`);
  return { encryption };
}

export function loadIssuerKeys(path: string): IssuerKeys {
  return parseIssuerKeys(JSON.parse(readFileSync(path, 'utf8')) as IssuerKeyFile, path);
}

/** The public JWK Set for metadata (RFC 7517 §5). */
export function issuerEncryptionJwks(keys: IssuerKeys): { keys: HpkeJwk[] } {
  return { keys: keys.encryption.map((k) => publicHpkeJwk(k.jwk)) };
}

/** S2S §Client Encrypted Payload: the aud a Wallet Client puts in its JWS for this key. */
export function encryptionKeyAudience(jwk: HpkeJwk): Promise<string> {
  return calculateJwkThumbprint(publicHpkeJwk(jwk) as Parameters<typeof calculateJwkThumbprint>[0], 'sha256');
}

/** A new private HPKE JWK for `alg` (its suite's curve), with kid = its RFC 7638 thumbprint. */
export async function generateHpkeJwk(alg = 'HPKE-0-KE'): Promise<HpkeJwk & { d: string }> {
  const parsed = parseHpkeAlg(alg);
  if (!parsed) throw new Error(`${alg} is not an HPKE algorithm`);
  const { privateKey } = await generateKeyPair('ECDH-ES', { crv: parsed.spec.crv, extractable: true });
  const jwk = { ...((await exportJWK(privateKey)) as HpkeJwk & { d: string }), alg, use: 'enc' };
  return { ...jwk, kid: await encryptionKeyAudience(jwk) };
}
