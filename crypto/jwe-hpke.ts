import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as HPKE from 'hpke';

/**
 * JWE with HPKE (draft-ietf-jose-hpke-encrypt), the encryption of S2S §End to End Encryption.
 * HPKE itself comes from the `hpke` library; this module is the JWE framing around it: both Key
 * Management Modes (Integrated Encryption "HPKE-n" and Key Encryption "HPKE-n-KE" with an AES-GCM
 * content encryption), Compact and JSON (flattened and general) serializations.
 * Not supported, and refused: HPKE PSK mode (`psk_id`), compression (`zip`), `crit`.
 */

/** ChaCha20-Poly1305 from node:crypto: Node 20's WebCrypto lacks it (HPKE-4, HPKE-6). */
const AEAD_ChaCha20Poly1305_Node: HPKE.AEADFactory = () => ({
  id: 0x0003,
  type: 'AEAD',
  name: 'ChaCha20Poly1305',
  Nk: 32,
  Nn: 12,
  Nt: 16,
  async Seal(key, nonce, aad, pt) {
    const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    cipher.setAAD(aad, { plaintextLength: pt.length });
    return new Uint8Array(Buffer.concat([cipher.update(pt), cipher.final(), cipher.getAuthTag()]));
  },
  async Open(key, nonce, aad, ct) {
    if (ct.length < 16) throw new Error('ciphertext too short');
    const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    decipher.setAAD(aad, { plaintextLength: ct.length - 16 });
    decipher.setAuthTag(ct.subarray(ct.length - 16));
    return new Uint8Array(Buffer.concat([decipher.update(ct.subarray(0, ct.length - 16)), decipher.final()]));
  },
});

interface SuiteSpec {
  kem: HPKE.KEMFactory;
  kdf: HPKE.KDFFactory;
  aead: HPKE.AEADFactory;
  kty: 'EC' | 'OKP';
  crv: string;
}

/** draft-ietf-jose-hpke-encrypt §Integrated/Key Encryption Algorithms: suite n of "HPKE-n[-KE]". */
const suites: Record<string, SuiteSpec> = {
  '0': { kem: HPKE.KEM_DHKEM_P256_HKDF_SHA256, kdf: HPKE.KDF_HKDF_SHA256, aead: HPKE.AEAD_AES_128_GCM, kty: 'EC', crv: 'P-256' },
  '1': { kem: HPKE.KEM_DHKEM_P384_HKDF_SHA384, kdf: HPKE.KDF_HKDF_SHA384, aead: HPKE.AEAD_AES_256_GCM, kty: 'EC', crv: 'P-384' },
  '2': { kem: HPKE.KEM_DHKEM_P521_HKDF_SHA512, kdf: HPKE.KDF_HKDF_SHA512, aead: HPKE.AEAD_AES_256_GCM, kty: 'EC', crv: 'P-521' },
  '3': { kem: HPKE.KEM_DHKEM_X25519_HKDF_SHA256, kdf: HPKE.KDF_HKDF_SHA256, aead: HPKE.AEAD_AES_128_GCM, kty: 'OKP', crv: 'X25519' },
  '4': { kem: HPKE.KEM_DHKEM_X25519_HKDF_SHA256, kdf: HPKE.KDF_HKDF_SHA256, aead: AEAD_ChaCha20Poly1305_Node, kty: 'OKP', crv: 'X25519' },
  '5': { kem: HPKE.KEM_DHKEM_X448_HKDF_SHA512, kdf: HPKE.KDF_HKDF_SHA512, aead: HPKE.AEAD_AES_256_GCM, kty: 'OKP', crv: 'X448' },
  '6': { kem: HPKE.KEM_DHKEM_X448_HKDF_SHA512, kdf: HPKE.KDF_HKDF_SHA512, aead: AEAD_ChaCha20Poly1305_Node, kty: 'OKP', crv: 'X448' },
  '7': { kem: HPKE.KEM_DHKEM_P256_HKDF_SHA256, kdf: HPKE.KDF_HKDF_SHA256, aead: HPKE.AEAD_AES_256_GCM, kty: 'EC', crv: 'P-256' },
};

export const hpkeAlgorithms = Object.keys(suites).flatMap((n) => [`HPKE-${n}`, `HPKE-${n}-KE`]);

/** Content encryption ("enc") for Key Encryption, with its CEK length in bytes. */
const contentEncryption: Record<string, number> = { A128GCM: 16, A192GCM: 24, A256GCM: 32 };
export const contentEncryptionAlgorithms = Object.keys(contentEncryption);

interface ParsedAlg {
  alg: string;
  suiteId: string;
  keyEncryption: boolean;
  spec: SuiteSpec;
}

export function parseHpkeAlg(alg: unknown): ParsedAlg | undefined {
  if (typeof alg !== 'string') return undefined;
  const match = /^HPKE-(\d)(-KE)?$/.exec(alg);
  const spec = match?.[1] === undefined ? undefined : suites[match[1]];
  return match && spec ? { alg, suiteId: match[1] as string, keyEncryption: match[2] === '-KE', spec } : undefined;
}

const cipherSuites = new Map<string, HPKE.CipherSuite>();
function cipherSuite(parsed: ParsedAlg): HPKE.CipherSuite {
  let suite = cipherSuites.get(parsed.suiteId);
  if (!suite) {
    suite = new HPKE.CipherSuite(parsed.spec.kem, parsed.spec.kdf, parsed.spec.aead);
    cipherSuites.set(parsed.suiteId, suite);
  }
  return suite;
}

/** Why a JWE was refused. The reason is for logs and tests; clients get one Problem type. */
export type JweFailure = 'malformed' | 'unsupported' | 'unknown_key' | 'decryption_failed' | 'too_large';

export class JweError extends Error {
  constructor(
    readonly reason: JweFailure,
    message: string,
  ) {
    super(message);
    this.name = 'JweError';
  }
}

/** An HPKE key as a JWK (RFC 7517; draft-ietf-jose-hpke-encrypt §JWK Representations). */
export interface HpkeJwk {
  kty: string;
  crv?: string;
  x?: string;
  y?: string;
  d?: string;
  alg?: string;
  kid?: string;
  use?: string;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const base64urlPattern = /^[A-Za-z0-9_-]*$/;
function unb64(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || !base64urlPattern.test(value)) throw new JweError('malformed', `${field} is not base64url`);
  return Buffer.from(value, 'base64url');
}

/**
 * A JWK may serve the Key Encryption and the Integrated Encryption algorithm of its own suite
 * (profile §Encryption): both use the same KEM, KDF and AEAD with distinct inputs.
 */
export function keyServesAlg(jwk: HpkeJwk, parsed: ParsedAlg): boolean {
  const keyAlg = parseHpkeAlg(jwk.alg);
  return !!keyAlg && keyAlg.suiteId === parsed.suiteId && jwk.kty === parsed.spec.kty && jwk.crv === parsed.spec.crv;
}

function publicKeyBytes(jwk: HpkeJwk, spec: SuiteSpec): Uint8Array {
  if (jwk.kty !== spec.kty || jwk.crv !== spec.crv) throw new JweError('unknown_key', 'key type does not match the algorithm');
  const x = unb64(jwk.x, 'x');
  // DHKEM SerializePublicKey: uncompressed point for NIST curves, raw bytes for X25519/X448.
  return spec.kty === 'EC' ? Buffer.concat([Buffer.from([4]), x, unb64(jwk.y, 'y')]) : x;
}

/** Recipient_structure (draft-ietf-jose-hpke-encrypt §Recipient_structure), the HPKE info for Key Encryption. */
export function recipientStructure(enc: string, extraInfo: Uint8Array = new Uint8Array()): Uint8Array {
  return Buffer.concat([Buffer.from('JOSE-HPKE rcpt', 'ascii'), Buffer.from([0xff]), Buffer.from(enc, 'ascii'), Buffer.from([0xff]), extraInfo]);
}

function aesGcm(enc: string): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  return `aes-${(contentEncryption[enc] ?? 0) * 8}-gcm` as 'aes-128-gcm';
}

export type JweSerialization = 'compact' | 'flattened' | 'general';

export interface EncryptOptions {
  /** An HPKE algorithm; HPKE-0-KE by default (profile §Encryption). */
  alg?: string;
  /** Content encryption for Key Encryption; A256GCM by default. */
  enc?: string;
  serialization?: JweSerialization;
  /** JWE AAD (JSON serializations only). */
  aad?: Uint8Array;
  /** Extra protected header parameters (e.g. cty). */
  header?: Record<string, unknown>;
}

/** Encrypts `plaintext` to a recipient's public HPKE JWK. The kid, if the JWK has one, is put in the header. */
export async function encryptJwe(plaintext: Uint8Array, recipient: HpkeJwk, options: EncryptOptions = {}): Promise<string | Record<string, unknown>> {
  const parsed = parseHpkeAlg(options.alg ?? recipient.alg ?? 'HPKE-0-KE');
  if (!parsed) throw new JweError('unsupported', `alg ${String(options.alg ?? recipient.alg)} is not an HPKE algorithm`);
  const serialization = options.serialization ?? 'compact';
  if (serialization === 'compact' && options.aad) throw new JweError('unsupported', 'the compact serialization has no AAD');
  const suite = cipherSuite(parsed);
  const publicKey = await suite.DeserializePublicKey(publicKeyBytes(recipient, parsed.spec));
  const aadSuffix = options.aad ? `.${b64(options.aad)}` : '';

  let header: Record<string, unknown>;
  let encryptedKey: Uint8Array;
  let iv = new Uint8Array();
  let ciphertext: Uint8Array;
  let tag = new Uint8Array();
  if (parsed.keyEncryption) {
    const enc = options.enc ?? 'A256GCM';
    const cekLength = contentEncryption[enc];
    if (!cekLength) throw new JweError('unsupported', `enc ${enc} is not supported`);
    const cek = randomBytes(cekLength);
    const sealed = await suite.Seal(publicKey, cek, { info: recipientStructure(enc) });
    encryptedKey = sealed.ciphertext;
    header = { alg: parsed.alg, enc, ...(recipient.kid ? { kid: recipient.kid } : {}), ek: b64(sealed.encapsulatedSecret), ...options.header };
    const protectedHeader = b64(Buffer.from(JSON.stringify(header)));
    iv = randomBytes(12);
    const cipher = createCipheriv(aesGcm(enc), cek, iv);
    cipher.setAAD(Buffer.from(protectedHeader + aadSuffix, 'ascii'));
    ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    tag = cipher.getAuthTag();
    return serialize(serialization, protectedHeader, encryptedKey, iv, ciphertext, tag, options.aad);
  }
  header = { alg: parsed.alg, ...(recipient.kid ? { kid: recipient.kid } : {}), ...options.header };
  const protectedHeader = b64(Buffer.from(JSON.stringify(header)));
  const sealed = await suite.Seal(publicKey, plaintext, { aad: Buffer.from(protectedHeader + aadSuffix, 'ascii') });
  encryptedKey = sealed.encapsulatedSecret;
  ciphertext = sealed.ciphertext;
  return serialize(serialization, protectedHeader, encryptedKey, iv, ciphertext, tag, options.aad);
}

function serialize(
  serialization: JweSerialization,
  protectedHeader: string,
  encryptedKey: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad?: Uint8Array,
): string | Record<string, unknown> {
  if (serialization === 'compact') return [protectedHeader, b64(encryptedKey), b64(iv), b64(ciphertext), b64(tag)].join('.');
  const body = {
    protected: protectedHeader,
    ...(aad ? { aad: b64(aad) } : {}),
    ...(iv.length ? { iv: b64(iv) } : {}),
    ciphertext: b64(ciphertext),
    ...(tag.length ? { tag: b64(tag) } : {}),
  };
  return serialization === 'flattened' ? { ...body, encrypted_key: b64(encryptedKey) } : { ...body, recipients: [{ encrypted_key: b64(encryptedKey) }] };
}

/** A private key this side can decrypt with. */
export interface JweDecryptionKey {
  jwk: HpkeJwk & { d: string };
}

export interface DecryptedJwe {
  plaintext: Uint8Array;
  /** The JOSE Header (protected ∪ unprotected ∪ recipient). */
  header: Record<string, unknown>;
  /** The key that decrypted it (its public part is what the sender encrypted to). */
  key: JweDecryptionKey;
}

interface ParsedJwe {
  protectedHeader: string;
  shared: Record<string, unknown>;
  recipients: { header: Record<string, unknown>; encryptedKey: Buffer }[];
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
  aad?: Buffer;
}

function parseHeaderJson(encoded: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(unb64(encoded, 'protected').toString('utf8'));
  } catch (error) {
    if (error instanceof JweError) throw error;
    throw new JweError('malformed', 'the protected header is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new JweError('malformed', 'the protected header is not a JSON object');
  return value as Record<string, unknown>;
}

function objectOrEmpty(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new JweError('malformed', `${field} is not a JSON object`);
  return value as Record<string, unknown>;
}

function parseJwe(input: string | Record<string, unknown>): ParsedJwe {
  if (typeof input === 'string') {
    const parts = input.split('.');
    if (parts.length !== 5) throw new JweError('malformed', 'a compact JWE has five parts');
    const [protectedHeader, encryptedKey, iv, ciphertext, tag] = parts as [string, string, string, string, string];
    return {
      protectedHeader,
      shared: parseHeaderJson(protectedHeader),
      recipients: [{ header: {}, encryptedKey: unb64(encryptedKey, 'encrypted_key') }],
      iv: unb64(iv, 'iv'),
      ciphertext: unb64(ciphertext, 'ciphertext'),
      tag: unb64(tag, 'tag'),
    };
  }
  const protectedHeader = typeof input.protected === 'string' ? input.protected : '';
  const protectedMembers = protectedHeader ? parseHeaderJson(protectedHeader) : {};
  const unprotected = objectOrEmpty(input.unprotected, 'unprotected');
  const shared = mergeHeaders(protectedMembers, unprotected);
  const recipientList = Array.isArray(input.recipients) ? input.recipients : [{ header: input.header, encrypted_key: input.encrypted_key }];
  if (recipientList.length === 0) throw new JweError('malformed', 'no recipients');
  return {
    protectedHeader,
    shared,
    recipients: recipientList.map((r: unknown, i) => {
      const recipient = objectOrEmpty(r, `recipients[${i}]`);
      return { header: objectOrEmpty(recipient.header, 'header'), encryptedKey: unb64(recipient.encrypted_key ?? '', 'encrypted_key') };
    }),
    iv: unb64(input.iv ?? '', 'iv'),
    ciphertext: unb64(input.ciphertext, 'ciphertext'),
    tag: unb64(input.tag ?? '', 'tag'),
    ...(input.aad === undefined ? {} : { aad: unb64(input.aad, 'aad') }),
  };
}

/** RFC 7516 §5.2 step 4: header parameter names must not repeat across the header objects. */
function mergeHeaders(...headers: Record<string, unknown>[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const header of headers) {
    for (const [name, value] of Object.entries(header)) {
      if (name in merged) throw new JweError('malformed', `header parameter ${name} appears twice`);
      merged[name] = value;
    }
  }
  return merged;
}

export interface DecryptOptions {
  /** Largest accepted ciphertext, in bytes. */
  maxCiphertextBytes?: number;
}

/** Largest accepted protected header (base64url characters): headers are a few hundred bytes. */
export const maxProtectedHeaderLength = 4096;

/**
 * Decrypts a JWE (compact, flattened or general JSON) with one of `keys`: the one named by `kid`
 * when the header has a kid, otherwise each key that serves the algorithm.
 */
export async function decryptJwe(
  input: string | Record<string, unknown>,
  keys: readonly JweDecryptionKey[],
  options: DecryptOptions = {},
): Promise<DecryptedJwe> {
  // Bounded before any key work: each recipient may cost an HPKE decapsulation, so a JWE may
  // name at most one recipient per key of this server (profile §11).
  const protectedLength = typeof input === 'string' ? input.indexOf('.') : typeof input.protected === 'string' ? input.protected.length : 0;
  if (protectedLength > maxProtectedHeaderLength) throw new JweError('too_large', `protected header over ${maxProtectedHeaderLength} characters`);
  const jwe = parseJwe(input);
  if (jwe.recipients.length > Math.max(1, keys.length)) {
    throw new JweError('too_large', `${jwe.recipients.length} recipients; this server decrypts for at most ${Math.max(1, keys.length)}`);
  }
  if (options.maxCiphertextBytes !== undefined && jwe.ciphertext.length > options.maxCiphertextBytes) {
    throw new JweError('too_large', `ciphertext over ${options.maxCiphertextBytes} bytes`);
  }
  const aadParameter = Buffer.from(jwe.protectedHeader + (jwe.aad ? `.${jwe.aad.toString('base64url')}` : ''), 'ascii');
  let lastError: JweError = new JweError('unknown_key', 'no recipient uses a key of this server');

  for (const recipient of jwe.recipients) {
    const header = mergeHeaders(jwe.shared, recipient.header);
    const parsed = parseHpkeAlg(header.alg);
    if (!parsed) {
      lastError = new JweError('unsupported', `alg ${JSON.stringify(header.alg)} is not an HPKE algorithm`);
      continue;
    }
    for (const refused of ['zip', 'crit', 'psk_id']) {
      if (refused in header) throw new JweError('unsupported', `header parameter ${refused} is not supported`);
    }
    const candidates = keys.filter((k) => (header.kid === undefined ? true : k.jwk.kid === header.kid) && keyServesAlg(k.jwk, parsed));
    if (candidates.length === 0) {
      lastError = new JweError('unknown_key', header.kid === undefined ? `no key for ${parsed.alg}` : `unknown kid ${JSON.stringify(header.kid)}`);
      continue;
    }
    for (const key of candidates) {
      try {
        const plaintext = parsed.keyEncryption
          ? await openKeyEncryption(parsed, header, recipient.encryptedKey, jwe, key, aadParameter)
          : await openIntegrated(parsed, header, recipient.encryptedKey, jwe, key, aadParameter);
        return { plaintext, header, key };
      } catch (error) {
        if (error instanceof JweError && error.reason !== 'decryption_failed') throw error;
        lastError = new JweError('decryption_failed', 'the JWE does not decrypt');
      }
    }
  }
  throw lastError;
}

/**
 * The recipient's key pairs, deserialized once per key and suite: importing a private key (and
 * deriving its public point) costs more CPU than the decapsulation itself, and the issuer's keys
 * decrypt every initiate and every get. Keyed by the key object, so a reloaded key set starts afresh.
 */
const keyPairs = new WeakMap<JweDecryptionKey, Map<string, Promise<HPKE.KeyPair>>>();

/** The recipient's key pair: a non-extractable private key and its public key from the JWK. */
function privateKey(parsed: ParsedAlg, key: JweDecryptionKey): Promise<HPKE.KeyPair> {
  let bySuite = keyPairs.get(key);
  if (!bySuite) {
    bySuite = new Map();
    keyPairs.set(key, bySuite);
  }
  const cached = bySuite.get(parsed.suiteId);
  if (cached) return cached;
  const suite = cipherSuite(parsed);
  const pair = (async () => ({
    privateKey: await suite.DeserializePrivateKey(unb64(key.jwk.d, 'd'), false),
    publicKey: await suite.DeserializePublicKey(publicKeyBytes(key.jwk, parsed.spec)),
  }))();
  bySuite.set(parsed.suiteId, pair);
  // A key that does not deserialize is not remembered: the error is the caller's each time.
  pair.catch(() => bySuite.delete(parsed.suiteId));
  return pair;
}

async function openIntegrated(
  parsed: ParsedAlg,
  header: Record<string, unknown>,
  encapsulated: Buffer,
  jwe: ParsedJwe,
  key: JweDecryptionKey,
  aad: Buffer,
): Promise<Uint8Array> {
  // draft-ietf-jose-hpke-encrypt §Integrated Encryption
  if ('enc' in header) throw new JweError('malformed', 'Integrated Encryption must not have enc');
  if ('ek' in header) throw new JweError('malformed', 'Integrated Encryption must not have ek');
  if (jwe.recipients.length !== 1) throw new JweError('malformed', 'Integrated Encryption has exactly one recipient');
  if (jwe.iv.length !== 0 || jwe.tag.length !== 0) throw new JweError('malformed', 'Integrated Encryption has an empty iv and tag');
  try {
    return await cipherSuite(parsed).Open(await privateKey(parsed, key), encapsulated, jwe.ciphertext, { aad });
  } catch {
    throw new JweError('decryption_failed', 'the JWE does not decrypt');
  }
}

async function openKeyEncryption(
  parsed: ParsedAlg,
  header: Record<string, unknown>,
  encryptedKey: Buffer,
  jwe: ParsedJwe,
  key: JweDecryptionKey,
  aad: Buffer,
): Promise<Uint8Array> {
  // draft-ietf-jose-hpke-encrypt §Key Encryption
  const enc = header.enc;
  if (typeof enc !== 'string' || !(enc in contentEncryption)) throw new JweError('unsupported', `enc ${JSON.stringify(enc)} is not supported`);
  const ek = unb64(header.ek, 'ek');
  if (jwe.iv.length !== 12 || jwe.tag.length !== 16) throw new JweError('malformed', 'AES-GCM needs a 96-bit iv and a 128-bit tag');
  try {
    const cek = await cipherSuite(parsed).Open(await privateKey(parsed, key), ek, encryptedKey, { info: recipientStructure(enc) });
    if (cek.length !== contentEncryption[enc]) throw new Error('CEK length');
    const decipher = createDecipheriv(aesGcm(enc), cek, jwe.iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(jwe.tag);
    return new Uint8Array(Buffer.concat([decipher.update(jwe.ciphertext), decipher.final()]));
  } catch {
    throw new JweError('decryption_failed', 'the JWE does not decrypt');
  }
}

/** The public part of an HPKE JWK, for metadata and for senders. */
export function publicHpkeJwk(jwk: HpkeJwk): HpkeJwk {
  const { kty, crv, x, y, alg, kid, use } = jwk;
  return { kty, ...(crv ? { crv } : {}), ...(x ? { x } : {}), ...(y ? { y } : {}), ...(alg ? { alg } : {}), ...(kid ? { kid } : {}), ...(use ? { use } : {}) };
}
