import { randomUUID, webcrypto } from 'node:crypto';
import { CompactSign } from 'jose';
import { encryptionKeyAudience } from '../crypto/issuer-keys';
import { encryptJwe, type HpkeJwk, type JweSerialization } from '../crypto/jwe-hpke';
import type { ClientPayloadBinding } from '../domain/client-payload-binding';
import type { PublicJwk } from '../domain/schemas/common';
import type { InitiateVerificationRequest, VerificationDataResponse } from '../domain/schemas/verification';

/**
 * The wallet side of the protocol, as a Wallet Client Instance and its Wallet Server would
 * produce it. Used by the tests, the benchmark and the `npm start` example; the reference
 * Wallet Server grows from here.
 */
export interface WalletSigningKey {
  alg: 'ES256' | 'EdDSA';
  privateKey: webcrypto.CryptoKey;
  publicJwk: PublicJwk;
}

const params = {
  ES256: { generate: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
  EdDSA: { generate: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
} as const;

export async function generateWalletSigningKey(alg: WalletSigningKey['alg'] = 'ES256'): Promise<WalletSigningKey> {
  const pair = (await webcrypto.subtle.generateKey(params[alg].generate, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const { kty, crv, x, y } = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
  const publicJwk = { kty: kty ?? '', crv, x, ...(y ? { y } : {}), alg, kid: randomUUID() } as PublicJwk;
  return { alg, privateKey: pair.privateKey, publicJwk };
}

export async function exportWalletSigningKey(key: WalletSigningKey): Promise<{ alg: string; privateJwk: webcrypto.JsonWebKey; publicJwk: PublicJwk }> {
  return { alg: key.alg, privateJwk: await webcrypto.subtle.exportKey('jwk', key.privateKey), publicJwk: key.publicJwk };
}

export async function importWalletSigningKeyPair(stored: { alg: string; privateJwk: webcrypto.JsonWebKey; publicJwk: PublicJwk }): Promise<WalletSigningKey> {
  const alg = stored.alg as WalletSigningKey['alg'];
  const privateKey = await webcrypto.subtle.importKey('jwk', stored.privateJwk, params[alg].generate, false, ['sign']);
  return { alg, privateKey, publicJwk: stored.publicJwk };
}

/** Profile §Verification nonce: base64url signature over the UTF-8 bytes of sessionId (or of the re-verification value). */
export async function signVerificationNonce(signedValue: string, key: WalletSigningKey): Promise<string> {
  const signature = await webcrypto.subtle.sign(params[key.alg].sign, key.privateKey, Buffer.from(signedValue, 'utf8'));
  return Buffer.from(signature).toString('base64url');
}

/** A complete /verification/initiate body for a fresh sessionId. */
export async function createInitiateRequest(options: {
  key: WalletSigningKey;
  credentialConfigurationIds: string[];
  sessionId?: string;
  verificationData?: VerificationDataResponse;
  requestedDeviceCount?: number;
  supportedVerificationTypes?: string[];
  /** Re-verify this session after its verification `reverificationOf` ended (profile §Re-verification). */
  reverificationOf?: string;
}): Promise<InitiateVerificationRequest> {
  const sessionId = options.sessionId ?? randomUUID();
  const signedValue = options.reverificationOf ? `${sessionId}.${options.reverificationOf}` : sessionId;
  return {
    sessionId,
    credentialConfigurationIds: options.credentialConfigurationIds,
    walletSigningKeyData: { keyType: 'WALLET_SIGNING_KEY', client_public_key: options.key.publicJwk },
    verificationNonce: await signVerificationNonce(signedValue, options.key),
    ...(options.reverificationOf ? { extensions: { 'urn:s2s-issuer:reverification': { previousVerificationId: options.reverificationOf } } } : {}),
    ...(options.verificationData ? { verificationData: options.verificationData } : {}),
    ...(options.requestedDeviceCount ? { requestedDeviceCount: options.requestedDeviceCount } : {}),
    ...(options.supportedVerificationTypes ? { supportedVerificationTypes: options.supportedVerificationTypes } : {}),
  };
}

/**
 * S2S §Client Encrypted Payload, the Wallet Client's side: sign `claims` with the WSK (aud = the
 * issuer key's RFC 7638 thumbprint; the binding claims and iat of profile §11), then encrypt the
 * JWS to the issuer key with JWE-HPKE.
 *
 * `binding` names the request the payload is for: `{ sessionId }` in an initiate,
 * `{ sessionId, previousVerificationId }` in a re-verification initiate, `{ sessionId,
 * verificationId }` in a supplement.
 */
export async function createClientEncryptedPayload(options: {
  key: WalletSigningKey;
  issuerKey: HpkeJwk;
  claims: Record<string, unknown>;
  binding: ClientPayloadBinding;
  alg?: string;
  serialization?: JweSerialization;
  /** Overrides, for negative tests. */
  aud?: string;
  /** Seconds since the epoch; now by default. Overrides, for negative tests. */
  iat?: number;
  /** Framing claims left out, for negative tests. */
  omitClaims?: string[];
}): Promise<{ jwe: string | Record<string, unknown>; origin: 'WALLET_CLIENT' }> {
  const aud = options.aud ?? (await encryptionKeyAudience(options.issuerKey));
  const framed: Record<string, unknown> = { ...options.claims, ...options.binding, iat: options.iat ?? Math.floor(Date.now() / 1000), aud };
  for (const claim of options.omitClaims ?? []) delete framed[claim];
  const jws = await new CompactSign(Buffer.from(JSON.stringify(framed), 'utf8'))
    .setProtectedHeader({ alg: options.key.alg, typ: 'JWT' })
    .sign(options.key.privateKey);
  const jwe = await encryptJwe(Buffer.from(jws, 'utf8'), options.issuerKey, {
    ...(options.alg ? { alg: options.alg } : {}),
    serialization: options.serialization ?? 'compact',
    header: { cty: 'JWT' },
  });
  return { jwe, origin: 'WALLET_CLIENT' };
}

/** A request's verification items: the Wallet Client's (signed and encrypted) and the Wallet Server's own. */
export interface WalletItems {
  client?: Record<string, unknown>[];
  server?: Record<string, unknown>[];
}

/** `verificationData` / `verificationDataPayload` of a request: client items as Client Encrypted Payloads bound to `binding`, server items as they are. */
export async function createVerificationData(
  key: WalletSigningKey,
  issuerKey: HpkeJwk,
  items: WalletItems,
  binding: ClientPayloadBinding,
): Promise<VerificationDataResponse> {
  const client = items.client ? await Promise.all(items.client.map((claims) => createClientEncryptedPayload({ key, issuerKey, claims, binding }))) : undefined;
  return {
    ...(client ? { clientEncryptedPayload: client } : {}),
    ...(items.server ? { serverVerificationDataItem: items.server as VerificationDataResponse['serverVerificationDataItem'] } : {}),
  } as VerificationDataResponse;
}

/** An initiate body for a new session whose items are `client` and `server` (none: a negotiated start). */
export async function createInitiateWithItems(
  key: WalletSigningKey,
  issuerKey: HpkeJwk,
  request: WalletItems & { credentialConfigurationIds: string[]; requestedDeviceCount?: number },
): Promise<InitiateVerificationRequest> {
  const sessionId = randomUUID();
  const data = request.client || request.server ? await createVerificationData(key, issuerKey, request, { sessionId }) : undefined;
  return createInitiateRequest({
    key,
    sessionId,
    credentialConfigurationIds: request.credentialConfigurationIds,
    ...(data ? { verificationData: data } : {}),
    ...(request.requestedDeviceCount ? { requestedDeviceCount: request.requestedDeviceCount } : {}),
  });
}
