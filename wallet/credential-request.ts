import { createHash, webcrypto } from 'node:crypto';
import { calculateJwkThumbprint, SignJWT, type JWK } from 'jose';
import { generateHpkeJwk } from '../crypto/issuer-keys';
import { decryptJwe, publicHpkeJwk, type HpkeJwk } from '../crypto/jwe-hpke';
import { KeyType, type PublicJwk } from '../domain/schemas/common';
import type { CredentialRequestClaims, DeliveredCredentials, GetCredentialRequest } from '../domain/schemas/credential';
import { createClientEncryptedPayload, type WalletSigningKey } from './wallet-client-instance';

/**
 * The wallet side of a `/credential/get` (profile §25), as a Wallet Client Instance and its
 * Wallet Server produce it: a fresh Wallet Encryption Key (WEK), one presentment key per
 * credential of the batch, an OpenID4VCI 1.0 `jwt` key proof for each, and the WSK-signed,
 * issuer-encrypted `clientEncryptedData` that binds the WEK, the proofs, the instance and the
 * issuer's `c_nonce` together. Used by the tests, the benchmark and the `npm start` example.
 */

/** The WEK: an HPKE key pair (S2S §End to End Encryption); the issuer encrypts the credentials to its public part. */
export interface WalletEncryptionKey {
  privateJwk: HpkeJwk & { d: string };
  publicJwk: HpkeJwk & { alg: string };
}

/** A key a credential is bound to (S2S §Get Credential, "Presentation Keys"); the Wallet Client keeps the private part. */
export interface PresentmentKey {
  alg: 'ES256';
  privateKey: webcrypto.CryptoKey;
  /** kty, crv, x, y and alg only: the form a proof's `jwk` header carries. */
  publicJwk: PublicJwk;
}

/** A new WEK for an HPKE algorithm the issuer supports (crypto/jwe-hpke.ts; HPKE-0-KE as the issuer's own keys by default). */
export async function generateWalletEncryptionKey(alg = 'HPKE-0-KE'): Promise<WalletEncryptionKey> {
  const privateJwk = await generateHpkeJwk(alg);
  return { privateJwk, publicJwk: { ...publicHpkeJwk(privateJwk), alg } };
}

/** A new ES256 presentment key (P-256; the algorithm every shipped configuration accepts for proofs). */
export async function generatePresentmentKey(): Promise<PresentmentKey> {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const { kty, crv, x, y } = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
  return { alg: 'ES256', privateKey: pair.privateKey, publicJwk: { kty: kty ?? 'EC', crv, x, y, alg: 'ES256' } as PublicJwk };
}

/** The WEK in S2S §KeyData form, as `walletEncryptionKey` of a get or a metadata request. */
export function walletEncryptionKeyData(key: WalletEncryptionKey): { keyType: string; client_public_key: PublicJwk } {
  return { keyType: KeyType.walletEncryptionKey, client_public_key: key.publicJwk as PublicJwk };
}

/** RFC 7638 SHA-256 thumbprint (base64url) of the WEK's public key: `walletEncryptionKeyThumbprint` of profile §25. */
export function walletEncryptionKeyThumbprint(key: WalletEncryptionKey): Promise<string> {
  return calculateJwkThumbprint(key.publicJwk as JWK, 'sha256');
}

/**
 * An OpenID4VCI 1.0 `jwt` key proof (Appendix F.1): header `typ` `openid4vci-proof+jwt`, `alg`,
 * `jwk` = the public presentment key; payload `aud` = the Credential Issuer Identifier
 * (`credential_issuer` of the issuer metadata), `iat`, `nonce` = the issuer's `c_nonce`. No
 * `iss`: the Wallet Server, not an OAuth client, makes the request (§F.1: iss is omitted in the
 * Pre-Authorized Code Flow without client authentication).
 */
export async function createKeyProof(options: {
  key: PresentmentKey;
  credentialIssuer: string;
  nonce: string;
  /** Seconds since the epoch; now by default. Overrides, for negative tests. */
  iat?: number;
  /** OpenID4VCI 1.0 Appendix D.1 key attestation JWT, when the configuration requires one. */
  keyAttestation?: string;
}): Promise<string> {
  return new SignJWT({ nonce: options.nonce })
    .setProtectedHeader({
      alg: options.key.alg,
      typ: 'openid4vci-proof+jwt',
      jwk: options.key.publicJwk as JWK,
      ...(options.keyAttestation ? { key_attestation: options.keyAttestation } : {}),
    })
    .setAudience(options.credentialIssuer)
    .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
    .sign(options.key.privateKey);
}

export interface CredentialRequestKeys {
  walletEncryptionKey: WalletEncryptionKey;
  presentmentKeys: PresentmentKey[];
}

/**
 * A complete `/credential/get` body (S2S §Get Credential, profile §25). Fresh keys unless given:
 * a WEK and `presentmentKeyCount` presentment keys (1 by default), one credential each. Returns
 * the keys too: the WEK's private part opens the answer (openCredentials), the presentment keys
 * are what the credentials are bound to.
 */
export async function createGetCredentialRequest(options: {
  walletSigningKey: WalletSigningKey;
  /** The issuer key `clientEncryptedData` is encrypted to (`issuer_encryption_jwks` of the metadata). */
  issuerKey: HpkeJwk;
  /** `credential_issuer` of the issuer metadata: the proofs' `aud`. */
  credentialIssuer: string;
  sessionId: string;
  credentialInstanceId: string;
  /** `c_nonce` from `/credential/nonce`. */
  nonce: string;
  walletEncryptionKey?: WalletEncryptionKey;
  presentmentKeys?: PresentmentKey[];
  presentmentKeyCount?: number;
  /** S2S §Get Credential: why the wallet fetches, for debugging. */
  reason?: string;
  currentCredentialMetadataVersion?: string;
}): Promise<{ body: GetCredentialRequest } & CredentialRequestKeys> {
  const walletEncryptionKey = options.walletEncryptionKey ?? (await generateWalletEncryptionKey());
  const presentmentKeys =
    options.presentmentKeys ?? (await Promise.all(Array.from({ length: options.presentmentKeyCount ?? 1 }, () => generatePresentmentKey())));
  const proofs = await Promise.all(presentmentKeys.map((key) => createKeyProof({ key, credentialIssuer: options.credentialIssuer, nonce: options.nonce })));
  // Profile §25: signed by the WSK, these claims bind the WEK and the proofs to this instance and nonce.
  const claims: Omit<CredentialRequestClaims, 'aud' | 'iat' | 'sessionId'> = {
    credentialInstanceId: options.credentialInstanceId,
    nonce: options.nonce,
    walletEncryptionKeyThumbprint: await walletEncryptionKeyThumbprint(walletEncryptionKey),
    presentmentKeys: proofs,
  };
  const clientEncryptedData = await createClientEncryptedPayload({
    key: options.walletSigningKey,
    issuerKey: options.issuerKey,
    claims,
    binding: { sessionId: options.sessionId },
  });
  const body: GetCredentialRequest = {
    sessionId: options.sessionId,
    credentialInstanceId: options.credentialInstanceId,
    reason: options.reason ?? 'initial issuance',
    walletEncryptionKey: walletEncryptionKeyData(walletEncryptionKey),
    clientEncryptedData,
    ...(options.currentCredentialMetadataVersion ? { currentCredentialMetadataVersion: options.currentCredentialMetadataVersion } : {}),
  };
  return { body, walletEncryptionKey, presentmentKeys };
}

/**
 * The credentials of a get answer (S2S §Get Credential: "JWE object whose plaintext is an Array
 * of Credentials"), decrypted with the WEK's private part. An answer by reference (S2S §Content
 * Reference) is fetched with `download` and checked against its `contentDigest` first.
 */
export async function openCredentials(
  credentials: DeliveredCredentials,
  walletEncryptionPrivateJwk: HpkeJwk & { d: string },
  options: { download?: (url: string) => Promise<Uint8Array> } = {},
): Promise<string[]> {
  let jwe: string | Record<string, unknown>;
  if ('contentReference' in credentials) {
    if (!options.download) throw new Error('the credentials are sent by reference: a download function is needed');
    const bytes = await options.download(credentials.contentReference.downloadUrl);
    const digest = createHash('sha256').update(bytes).digest('base64url');
    if (digest !== credentials.contentReference.contentDigest) throw new Error('the downloaded content does not match its contentDigest');
    jwe = Buffer.from(bytes).toString('utf8');
  } else {
    if (credentials.origin !== 'ISSUER') throw new Error(`credentials must come from the ISSUER, not ${credentials.origin}`);
    jwe = credentials.jwe;
  }
  const { plaintext } = await decryptJwe(jwe, [{ jwk: walletEncryptionPrivateJwk }]);
  const array: unknown = JSON.parse(Buffer.from(plaintext).toString('utf8'));
  if (!Array.isArray(array) || !array.every((credential): credential is string => typeof credential === 'string')) {
    throw new Error('the decrypted credentials are not an array of strings');
  }
  return array;
}
