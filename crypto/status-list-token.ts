import { createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { Decoder, Encoder, Tag } from 'cbor-x';
import { base64url } from 'jose';
import { coseAlgorithmIds } from '../domain/cose-algorithms';
import type { CredentialSigner } from '../domain/credential-formats/format';
import { coseSign1SigStructure } from './cose-sign1';
import { isStatusListBits, type StatusListBits } from '../domain/status-lists/status-list';

/**
 * Status List Tokens (draft-ietf-oauth-status-list §5): the list compressed (§4.2/§4.3) and signed
 * as a JWT (for SD-JWT VC and VC JWT credentials) or as a CWT (for mdoc), only through the
 * injected CredentialSigner (the key may sit in an HSM).
 */

/** Media types of the two Status List Token forms (draft §5.1, §5.2; registered by the draft with IANA). */
export const statusListJwtMediaType = 'application/statuslist+jwt';
export const statusListCwtMediaType = 'application/statuslist+cwt';

/** Draft §4.2: the byte array compressed with DEFLATE in the ZLIB format (RFC 1950), highest level. */
export function compressStatusList(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(deflateSync(bytes, { level: 9 }));
}

/**
 * Inflates a compressed list, refusing one that inflates beyond `maxBytes`: a few hundred bytes
 * of DEFLATE can expand to gigabytes, so a list fetched from elsewhere is bounded.
 */
export function decompressStatusList(compressed: Uint8Array, maxBytes = 16 * 1024 * 1024): Uint8Array {
  return new Uint8Array(inflateSync(compressed, { maxOutputLength: maxBytes }));
}

/** Draft §4.2: the JSON Status List `{ bits, lst }`, `lst` base64url of the compressed bytes. */
export function encodeJsonStatusList(bytes: Uint8Array, bits: StatusListBits): { bits: StatusListBits; lst: string } {
  return { bits, lst: base64url.encode(compressStatusList(bytes)) };
}

export interface StatusListTokenInput {
  /** The list's URI: `sub` of the token, and `status_list.uri` in the credentials (draft §5.1). */
  uri: string;
  bits: StatusListBits;
  /** The uncompressed byte array (domain/status-lists/status-list.ts). */
  bytes: Uint8Array;
  issuedAt: Date;
  expiresAt: Date;
  /** Draft §5.1 `ttl`: seconds a Relying Party may keep this token before fetching a new one. */
  ttlSeconds: number;
  /** Draft §5.1 `iss`, when the issuer names itself (optional in the token). */
  issuer?: string;
  signer: CredentialSigner;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const utf8 = new TextEncoder();

/** Draft §5.1: a JWT `typ: statuslist+jwt`, claims `sub`, `iat`, `exp`, `ttl`, `status_list`. */
export async function signStatusListJwt(input: StatusListTokenInput): Promise<string> {
  const header = {
    alg: input.signer.alg,
    typ: 'statuslist+jwt',
    ...(input.signer.keyId ? { kid: input.signer.keyId } : {}),
    ...(input.signer.certificateChain ? { x5c: [...input.signer.certificateChain] } : {}),
  };
  const payload = {
    ...(input.issuer ? { iss: input.issuer } : {}),
    sub: input.uri,
    iat: seconds(input.issuedAt),
    exp: seconds(input.expiresAt),
    ttl: input.ttlSeconds,
    status_list: encodeJsonStatusList(input.bytes, input.bits),
  };
  const signingInput = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}`;
  const signature = await input.signer.sign(utf8.encode(signingInput));
  return `${signingInput}.${base64url.encode(signature)}`;
}

/** COSE (RFC 9052 §3.1, RFC 9596, RFC 9360) header labels and CWT (RFC 8392 §4, draft §5.2) claim keys. */
const coseHeader = { alg: 1, kid: 4, typ: 16, x5chain: 33 } as const;
const cwtClaim = { iss: 1, sub: 2, exp: 4, iat: 6, statusList: 65533, ttl: 65534 } as const;
/** RFC 9053 §2.1 / RFC 9864: COSE algorithm identifiers of the JWS algorithms a signer may use. */
const coseSign1Tag = 18;

// Definite-length maps keyed by integers, byte strings untagged (cbor-x tags Uint8Array with 64 by default).
const cbor = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false, variableMapSize: true });
const cborDecoder = new Decoder({ mapsAsObjects: false, useRecords: false });

function coseAlgorithm(alg: string): number {
  const id = coseAlgorithmIds[alg];
  if (id === undefined) throw new Error(`no COSE algorithm for signer algorithm ${alg}`);
  return id;
}

/** Draft §4.3: the CBOR Status List `{ "bits": uint, "lst": bstr }` (`lst` compressed, not base64url). */
export function encodeCborStatusList(bytes: Uint8Array, bits: StatusListBits): Uint8Array {
  return cbor.encode(cborStatusList(bytes, bits));
}

function cborStatusList(bytes: Uint8Array, bits: StatusListBits): Map<string, unknown> {
  return new Map<string, unknown>([
    ['bits', bits],
    ['lst', compressStatusList(bytes)],
  ]);
}

/** The CWT claims of draft §5.2, in the order of the draft's example. */
export function encodeStatusListCwtClaims(input: Omit<StatusListTokenInput, 'signer'>): Uint8Array {
  const claims = new Map<number, unknown>();
  if (input.issuer) claims.set(cwtClaim.iss, input.issuer);
  claims.set(cwtClaim.sub, input.uri);
  claims.set(cwtClaim.iat, seconds(input.issuedAt));
  claims.set(cwtClaim.exp, seconds(input.expiresAt));
  claims.set(cwtClaim.ttl, input.ttlSeconds);
  claims.set(cwtClaim.statusList, cborStatusList(input.bytes, input.bits));
  return cbor.encode(claims);
}

/**
 * Draft §5.2: a COSE_Sign1 (tag 18) whose protected header carries the algorithm and
 * `typ` (16) `application/statuslist+cwt`, and `x5chain` when the signer has a chain; `kid` is
 * unprotected, as in the draft's example.
 */
export async function signStatusListCwt(input: StatusListTokenInput): Promise<Uint8Array> {
  const protectedMap = new Map<number, unknown>([
    [coseHeader.alg, coseAlgorithm(input.signer.alg)],
    [coseHeader.typ, statusListCwtMediaType],
  ]);
  const chain = input.signer.certificateChain;
  if (chain?.length) {
    const der = chain.map((certificate) => new Uint8Array(Buffer.from(certificate, 'base64')));
    protectedMap.set(coseHeader.x5chain, der.length === 1 ? der[0] : der);
  }
  const unprotected = new Map<number, unknown>();
  if (input.signer.keyId) unprotected.set(coseHeader.kid, utf8.encode(input.signer.keyId));
  const protectedHeader = cbor.encode(protectedMap);
  const payload = encodeStatusListCwtClaims(input);
  const signature = await input.signer.sign(coseSign1SigStructure(protectedHeader, payload));
  return new Uint8Array(cbor.encode(new Tag([protectedHeader, unprotected, payload, signature], coseSign1Tag)));
}

/** A Status List Token as a Relying Party reads it. */
export interface DecodedStatusListToken {
  uri: string;
  issuedAt: number;
  expiresAt?: number;
  ttlSeconds?: number;
  bits: StatusListBits;
  /** The uncompressed byte array. */
  bytes: Uint8Array;
}

function asBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new Error(`${what} is not a byte string`);
  return value;
}

function asInteger(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`${what} is not an integer`);
  return value;
}

/**
 * Checks a CWT Status List Token's signature with `publicKey` and its `typ`, and decodes it
 * (draft §Validation Rules, for a CWT). The algorithm is the one the protected header names.
 */
export function verifyStatusListCwt(token: Uint8Array, publicKey: KeyObject | JsonWebKey): DecodedStatusListToken {
  const outer: unknown = cborDecoder.decode(token);
  const sign1 = outer instanceof Tag ? (outer.tag === coseSign1Tag ? outer.value : undefined) : outer;
  if (!Array.isArray(sign1) || sign1.length !== 4) throw new Error('not a COSE_Sign1');
  const [protectedBytes, , payloadBytes, signatureBytes] = sign1 as unknown[];
  const protectedHeader = cborDecoder.decode(asBytes(protectedBytes, 'protected header')) as unknown;
  if (!(protectedHeader instanceof Map)) throw new Error('protected header is not a map');
  if (protectedHeader.get(coseHeader.typ) !== statusListCwtMediaType) throw new Error('typ is not application/statuslist+cwt');
  const alg = Object.entries(coseAlgorithmIds).find(([, id]) => id === protectedHeader.get(coseHeader.alg))?.[0];
  if (!alg) throw new Error('unsupported COSE algorithm');
  const key = publicKey instanceof Object && 'kty' in publicKey ? createPublicKey({ key: publicKey, format: 'jwk' }) : (publicKey as KeyObject);
  const payload = asBytes(payloadBytes, 'payload');
  const data = coseSign1SigStructure(asBytes(protectedBytes, 'protected header'), payload);
  const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
  const valid = verifySignature(hash, data, { key, dsaEncoding: 'ieee-p1363' }, asBytes(signatureBytes, 'signature'));
  if (!valid) throw new Error('Status List Token signature does not verify');
  const claims = cborDecoder.decode(payload) as unknown;
  if (!(claims instanceof Map)) throw new Error('CWT claims are not a map');
  const statusList = claims.get(cwtClaim.statusList) as unknown;
  if (!(statusList instanceof Map)) throw new Error('status_list claim is missing');
  const bits = statusList.get('bits') as unknown;
  if (!isStatusListBits(bits)) throw new Error('status_list bits must be 1, 2, 4 or 8');
  const sub = claims.get(cwtClaim.sub) as unknown;
  if (typeof sub !== 'string') throw new Error('sub is missing');
  const exp = claims.get(cwtClaim.exp) as unknown;
  const ttl = claims.get(cwtClaim.ttl) as unknown;
  return {
    uri: sub,
    issuedAt: asInteger(claims.get(cwtClaim.iat), 'iat'),
    ...(exp === undefined ? {} : { expiresAt: asInteger(exp, 'exp') }),
    ...(ttl === undefined ? {} : { ttlSeconds: asInteger(ttl, 'ttl') }),
    bits,
    bytes: decompressStatusList(asBytes(statusList.get('lst'), 'lst')),
  };
}
