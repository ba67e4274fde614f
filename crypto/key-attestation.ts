import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import Ajv from 'ajv';
import { calculateJwkThumbprint, compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import type { CredentialConfiguration } from '../domain/credential-configurations';
import type { KeyAttestationPolicy } from '../domain/schemas/credential-configuration';

/**
 * Key attestations (OpenID4VCI 1.0 Appendix D.1, "Key Attestation in JWT format") as they come
 * in the `key_attestation` header of a `jwt` key proof (Appendix F.1), and the issuers whose
 * attestations this issuer trusts (profile §25).
 *
 * The trust file (`S2S_KEY_ATTESTATION_TRUST_FILE`, JSON):
 *
 *   { "issuers": [ { "iss": "https://wallet-provider.example",
 *                    "certificates": ["<base64 DER trust anchor>", …],
 *                    "jwks": [ { "kty": "EC", "crv": "P-256", "x": …, "y": …, "alg": "ES256", "kid": … }, … ] } ] }
 *
 * An attestation whose `iss` is listed is checked either through its `x5c` header, which must
 * chain to one of that issuer's `certificates`, or, without `x5c`, with one of that issuer's
 * `jwks` (the one named by the header's `kid`, else each of the header's `alg`). A configuration
 * names the `iss` values it accepts in `keyAttestation.trustedIssuers` (profile §27); an `iss`
 * must be in both.
 */

const JwsAlgorithm = Type.Union([Type.Literal('ES256'), Type.Literal('ES384'), Type.Literal('ES512'), Type.Literal('EdDSA')]);

/** A public verification key of an attestation issuer. Open like every JWK (RFC 7517 §4); `alg` is required. */
const TrustedJwk = Type.Object(
  { kty: Type.String({ minLength: 1 }), alg: JwsAlgorithm, kid: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) },
  { additionalProperties: true },
);

export const KeyAttestationTrustFile = Type.Object(
  {
    issuers: Type.Array(
      Type.Object(
        {
          iss: Type.String({ minLength: 1, maxLength: 512 }),
          certificates: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 32 })),
          jwks: Type.Optional(Type.Array(TrustedJwk, { minItems: 1, maxItems: 32 })),
        },
        { additionalProperties: false },
      ),
      { maxItems: 256 },
    ),
  },
  { additionalProperties: false },
);
export type KeyAttestationTrustFile = Static<typeof KeyAttestationTrustFile>;

export interface TrustedAttestationIssuer {
  iss: string;
  /** Trust anchors for `x5c` chains. */
  anchors: readonly X509Certificate[];
  /** Keys that sign attestations directly (no `x5c`). */
  jwks: readonly JWK[];
}

export interface KeyAttestationTrust {
  issuers: ReadonlyMap<string, TrustedAttestationIssuer>;
}

const validateTrustFile = new Ajv({ allErrors: true, strict: false }).compile<KeyAttestationTrustFile>(KeyAttestationTrustFile);

/** JWK members of private or symmetric keys (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const privateJwkMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** Checks a trust file and builds its anchors; any problem refuses the whole file (the process does not start). */
export function parseKeyAttestationTrust(file: unknown, source: string): KeyAttestationTrust {
  if (!validateTrustFile(file)) {
    const problems = (validateTrustFile.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
    throw new Error(`${source} is not a valid key attestation trust file:\n  ${problems.join('\n  ')}`);
  }
  const issuers = new Map<string, TrustedAttestationIssuer>();
  for (const entry of file.issuers) {
    if (issuers.has(entry.iss)) throw new Error(`${source}: issuer ${entry.iss} is listed twice`);
    if (!entry.certificates && !entry.jwks) throw new Error(`${source}: issuer ${entry.iss} needs certificates or jwks`);
    const anchors = (entry.certificates ?? []).map((der, i) => {
      try {
        return new X509Certificate(Buffer.from(der, 'base64'));
      } catch {
        throw new Error(`${source}: issuer ${entry.iss}: certificates[${i}] is not a base64 DER certificate`);
      }
    });
    const jwks = (entry.jwks ?? []).map((jwk, i) => {
      const found = privateJwkMembers.find((member) => member in jwk);
      if (found) throw new Error(`${source}: issuer ${entry.iss}: jwks[${i}] has the private member ${found}`);
      return jwk as JWK;
    });
    issuers.set(entry.iss, { iss: entry.iss, anchors, jwks });
  }
  return { issuers };
}

/** The trust file `keyAttestationTrustFile` names; no trusted issuer when it is unset. */
export function loadKeyAttestationTrust(config: { keyAttestationTrustFile?: string }): KeyAttestationTrust {
  if (!config.keyAttestationTrustFile) return { issuers: new Map() };
  const source = config.keyAttestationTrustFile;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(source, 'utf8'));
  } catch (error) {
    throw new Error(`${source}: not readable JSON (${(error as Error).message})`);
  }
  return parseKeyAttestationTrust(parsed, source);
}

/**
 * The `trustedIssuers` of configurations that require key attestations but that the trust file
 * does not list: such a configuration could never issue, so a process should refuse to start.
 */
export function untrustedAttestationIssuers(configurations: readonly CredentialConfiguration[], trust: KeyAttestationTrust): string[] {
  const missing = new Set<string>();
  for (const configuration of configurations) {
    if (!configuration.keyAttestation.required) continue;
    for (const iss of configuration.keyAttestation.trustedIssuers) if (!trust.issuers.has(iss)) missing.add(iss);
  }
  return [...missing];
}

export class KeyAttestationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyAttestationRefused';
  }
}

/** Most certificates an `x5c` may carry: leaf, intermediates, perhaps the root. */
const maxChainLength = 5;

const validAt = (certificate: X509Certificate, now: Date) => new Date(certificate.validFrom) <= now && now <= new Date(certificate.validTo);
const signedBy = (certificate: X509Certificate, issuer: X509Certificate) => certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);

/**
 * RFC 7515 §4.1.6 `x5c`: each certificate is issued and signed by the next one, which is a CA;
 * all are valid at `now`; the last one is a trust anchor or is issued and signed by one (valid
 * at `now` too). Returns the leaf.
 */
function verifyCertificateChain(x5c: unknown, anchors: readonly X509Certificate[], now: Date): X509Certificate {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > maxChainLength) {
    throw new KeyAttestationRefused(`x5c must be an array of 1 to ${maxChainLength} certificates`);
  }
  const chain = x5c.map((der, i) => {
    try {
      // A non-string throws here as well (Buffer.from), and is refused alike.
      return new X509Certificate(Buffer.from(der as string, 'base64'));
    } catch {
      throw new KeyAttestationRefused(`x5c[${i}] is not a base64 DER certificate`);
    }
  });
  chain.forEach((certificate, i) => {
    if (!validAt(certificate, now)) throw new KeyAttestationRefused(`x5c[${i}] is not valid now`);
    const issuer = chain[i + 1];
    if (issuer && !(issuer.ca && signedBy(certificate, issuer))) throw new KeyAttestationRefused(`x5c[${i}] is not issued and signed by x5c[${i + 1}] (a CA)`);
  });
  const last = chain[chain.length - 1] as X509Certificate;
  const anchored = anchors.some((anchor) => anchor.raw.equals(last.raw) || (anchor.ca && validAt(anchor, now) && signedBy(last, anchor)));
  if (!anchored) throw new KeyAttestationRefused('x5c does not chain to a trust anchor of the attestation issuer');
  return chain[0] as X509Certificate;
}

export interface KeyAttestationCheck {
  /** The attestation issuer's trust (profile §25): the file's issuers. */
  trust: KeyAttestationTrust;
  /** The configuration's policy: trusted `iss` values and accepted levels. */
  policy: KeyAttestationPolicy;
  /** Accepted signature algorithms: the configuration's proof signing algorithms (Appendix F.1). */
  algorithms: readonly string[];
  /** The key the proof carrying this attestation proved possession of. */
  provenKey: JWK;
  /** The c_nonce of the request. */
  nonce: string;
  /** Milliseconds since the epoch. */
  now: number;
  /** How far `iat` may lie in the future (the clock skew allowed for proofs, profile §11). */
  iatWindowMs: number;
}

export interface VerifiedKeyAttestation {
  iss: string;
  keyStorage?: string[];
  userAuthentication?: string[];
}

/** Whether an attested list of attack potential values holds one of the accepted ones (OpenID4VCI §12.2.4, Appendix D.2). */
function meetsLevel(attested: unknown, accepted: readonly string[] | undefined): boolean {
  if (!accepted) return true;
  return Array.isArray(attested) && attested.some((value) => typeof value === 'string' && accepted.includes(value));
}

async function thumbprintOf(jwk: unknown): Promise<string | undefined> {
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return undefined;
  try {
    return await calculateJwkThumbprint(jwk as JWK, 'sha256');
  } catch {
    return undefined;
  }
}

/**
 * Verifies a key attestation JWT (OpenID4VCI 1.0 Appendix D.1) for one proven key, in this order:
 * `typ` key-attestation+jwt; `alg` accepted; `iss` trusted by the configuration and in the trust
 * file; signature by that issuer (x5c chain to its anchors, or one of its JWKs); `iat` present
 * and not in the future beyond the window; `exp` present (D.1: required with the jwt proof type)
 * and in the future; `nonce`, when present, the request's c_nonce; `attested_keys` contains the
 * proven key (RFC 7638 thumbprint); `key_storage` and `user_authentication` hold an accepted
 * level when the policy names levels. Throws KeyAttestationRefused.
 */
export async function verifyKeyAttestation(jwt: unknown, check: KeyAttestationCheck): Promise<VerifiedKeyAttestation> {
  if (typeof jwt !== 'string') throw new KeyAttestationRefused('the key attestation must be a JWT in compact serialization');
  let header: ReturnType<typeof decodeProtectedHeader>;
  let unverified: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(jwt);
    unverified = decodeJwt(jwt);
  } catch {
    throw new KeyAttestationRefused('the key attestation is not a JWT');
  }
  if (header.typ !== 'key-attestation+jwt') throw new KeyAttestationRefused('typ must be key-attestation+jwt');
  const alg = header.alg;
  // Appendix F.1: the attestation's alg must be one of proof_signing_alg_values_supported (never none or a MAC).
  if (typeof alg !== 'string' || !check.algorithms.includes(alg)) throw new KeyAttestationRefused(`alg ${String(alg)} is not accepted`);

  const iss = unverified.iss;
  if (typeof iss !== 'string' || !check.policy.trustedIssuers.includes(iss)) throw new KeyAttestationRefused('iss is not a trusted attestation issuer');
  const issuer = check.trust.issuers.get(iss);
  if (!issuer) throw new KeyAttestationRefused('iss has no keys in the key attestation trust file');

  const now = new Date(check.now);
  let candidates: JWK[];
  if (header.x5c !== undefined) {
    const leaf = verifyCertificateChain(header.x5c, issuer.anchors, now);
    candidates = [leaf.publicKey.export({ format: 'jwk' }) as JWK];
  } else {
    candidates = issuer.jwks.filter((jwk) => jwk.alg === alg && (header.kid === undefined || jwk.kid === header.kid));
    if (candidates.length === 0) throw new KeyAttestationRefused('no key of the attestation issuer matches the header (x5c, or kid and alg)');
  }
  let payload: Record<string, unknown> | undefined;
  for (const candidate of candidates) {
    try {
      const verified = await compactVerify(jwt, await importJWK(candidate, alg), { algorithms: [alg] });
      payload = JSON.parse(Buffer.from(verified.payload).toString('utf8')) as Record<string, unknown>;
      break;
    } catch {
      // The next candidate key, if any.
    }
  }
  if (!payload) throw new KeyAttestationRefused('the signature does not verify with a key of the attestation issuer');

  const nowSeconds = check.now / 1000;
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) throw new KeyAttestationRefused('iat is required');
  if (payload.iat > nowSeconds + check.iatWindowMs / 1000) throw new KeyAttestationRefused('iat is in the future');
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw new KeyAttestationRefused('exp is required with the jwt proof type');
  if (payload.exp <= nowSeconds) throw new KeyAttestationRefused('the key attestation has expired (exp)');
  if (payload.nonce !== undefined && payload.nonce !== check.nonce) throw new KeyAttestationRefused('nonce is not the c_nonce of this request');

  const attested = payload.attested_keys;
  if (!Array.isArray(attested) || attested.length === 0) throw new KeyAttestationRefused('attested_keys must be a non-empty array of JWKs');
  const proven = await calculateJwkThumbprint(check.provenKey, 'sha256');
  const thumbprints = await Promise.all(attested.map(thumbprintOf));
  if (!thumbprints.includes(proven)) throw new KeyAttestationRefused('attested_keys does not contain the key of the proof');

  if (!meetsLevel(payload.key_storage, check.policy.keyStorage)) {
    throw new KeyAttestationRefused(`key_storage holds none of ${check.policy.keyStorage?.join(', ')}`);
  }
  if (!meetsLevel(payload.user_authentication, check.policy.userAuthentication)) {
    throw new KeyAttestationRefused(`user_authentication holds none of ${check.policy.userAuthentication?.join(', ')}`);
  }
  return {
    iss,
    ...(Array.isArray(payload.key_storage) ? { keyStorage: payload.key_storage as string[] } : {}),
    ...(Array.isArray(payload.user_authentication) ? { userAuthentication: payload.user_authentication as string[] } : {}),
  };
}
