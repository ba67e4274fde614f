import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, CompactSign, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { generateHpkeJwk } from '../../crypto/issuer-keys';
import { publicHpkeJwk, type HpkeJwk } from '../../crypto/jwe-hpke';
import type { KeyAttestationTrustFile } from '../../crypto/key-attestation';
import type { PublicJwk } from '../../domain/schemas/common';
import type { DeliveredCredentials, GetCredentialRequest } from '../../domain/schemas/credential';
import { createCredentialSigningMaterial } from '../../dev/dev-pki';
import { openCredentials as openDeliveredCredentials } from '../../wallet/credential-request';
import { createClientEncryptedPayload, type WalletSigningKey } from '../../wallet/wallet-client-instance';

/**
 * A get (S2S §Get Credential, profile §25) built exactly as a Wallet Client Instance and its
 * Wallet Server would: fresh presentment keys, one OpenID4VCI 1.0 `jwt` key proof each (Appendix
 * F.1), a fresh Wallet Encryption Key, and a Client Encrypted Payload signed with the session's
 * WSK that binds the WEK thumbprint, the instance and the c_nonce. Overrides change single
 * members for negative tests.
 */

export type PresentmentKeyAlg = 'ES256' | 'ES384' | 'EdDSA';

export interface KeyPairJwk {
  privateJwk: JWK;
  publicJwk: PublicJwk;
}

/** Changes to one key proof. A header or payload member set to undefined is left out. */
export interface ProofOverrides {
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
  /** Signs with this key instead of the presentment key (the header still names the presentment key). */
  signingKey?: CryptoKey;
  /** Changes the header's jwk (still signed with the presentment key). */
  jwk?: (jwk: Record<string, unknown>) => Record<string, unknown>;
}

export interface GetRequestOverrides {
  /** Members of the signed payload; undefined leaves one out. */
  claims?: Record<string, unknown>;
  /** The payload's iat (seconds). */
  iat?: number;
  /** Members of walletEncryptionKey (KeyData). */
  walletEncryptionKey?: Partial<GetCredentialRequest['walletEncryptionKey']>;
  /** null leaves clientEncryptedData out; an object changes its members. */
  clientEncryptedData?: null | Partial<NonNullable<GetCredentialRequest['clientEncryptedData']>>;
  /** Changes to the proof of presentment key `index`. */
  proof?: (index: number) => ProofOverrides | undefined;
  /** Replaces the proofs: a list, or a function of the proofs as built. */
  presentmentKeys?: string[] | ((proofs: string[]) => string[] | Promise<string[]>);
}

type TrustEntry = KeyAttestationTrustFile['issuers'][number];
type TrustedJwk = NonNullable<TrustEntry['jwks']>[number];

/** A Wallet Provider that attests keys (OpenID4VCI 1.0 Appendix D.1), and its entry in the trust file. */
export interface KeyAttester {
  iss: string;
  trustEntry: TrustEntry;
  attest(options: { keys: JWK[]; nonce?: string; claims?: Record<string, unknown>; header?: Record<string, unknown> }): Promise<string>;
}

/**
 * An attester that signs with a certificate (`x5c` = leaf, then CA unless `leafOnly`) under its
 * own CA, the trust anchor; or, with `mode: 'jwk'`, with a bare key the trust file lists by kid.
 */
export async function createKeyAttester(options: { iss?: string; mode?: 'x5c' | 'jwk'; leafOnly?: boolean; days?: number } = {}): Promise<KeyAttester> {
  const iss = options.iss ?? 'https://wallet-provider.example';
  const base = (signingKey: CryptoKey, protectedHeader: Record<string, unknown>) => ({
    async attest({ keys, nonce, claims, header }: { keys: JWK[]; nonce?: string; claims?: Record<string, unknown>; header?: Record<string, unknown> }) {
      const now = Math.floor(Date.now() / 1000);
      const payload = withoutUndefined({
        iss,
        iat: now,
        exp: now + 3600,
        key_storage: ['iso_18045_high'],
        user_authentication: ['iso_18045_high'],
        attested_keys: keys,
        ...(nonce === undefined ? {} : { nonce }),
        ...claims,
      });
      return new CompactSign(Buffer.from(JSON.stringify(payload), 'utf8'))
        .setProtectedHeader(withoutUndefined({ typ: 'key-attestation+jwt', alg: 'ES256', ...protectedHeader, ...header }) as { alg: string })
        .sign(signingKey);
    },
  });
  if (options.mode === 'jwk') {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', kid } as TrustedJwk;
    return { iss, trustEntry: { iss, jwks: [jwk] }, ...base(privateKey, { kid }) };
  }
  const material = await createCredentialSigningMaterial({ commonName: 'Wallet Provider Key Attestation Signer', days: options.days ?? 365 });
  const signingKey = (await importJWK({ ...material.privateJwk, alg: 'ES256' }, 'ES256')) as CryptoKey;
  const [leaf, anchor] = material.certificateChain as [string, string];
  return { iss, trustEntry: { iss, certificates: [anchor] }, ...base(signingKey, { x5c: options.leafOnly ? [leaf] : [leaf, anchor] }) };
}

function withoutUndefined(members: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(members).filter(([, value]) => value !== undefined));
}

const generationAlgorithm: Record<PresentmentKeyAlg, [string, { crv?: string }]> = {
  ES256: ['ES256', {}],
  ES384: ['ES384', {}],
  EdDSA: ['EdDSA', { crv: 'Ed25519' }],
};

/** A presentment key pair; the public JWK carries alg (S2S §KeyData). */
export async function generatePresentmentKey(alg: PresentmentKeyAlg = 'ES256'): Promise<KeyPairJwk & { privateKey: CryptoKey }> {
  const [name, options] = generationAlgorithm[alg];
  const { publicKey, privateKey } = await generateKeyPair(name, { ...options, extractable: true });
  return { privateKey, privateJwk: await exportJWK(privateKey), publicJwk: { ...(await exportJWK(publicKey)), alg } as PublicJwk };
}

/** A key proof (OpenID4VCI 1.0 Appendix F.1) for `key`, as the Wallet Client signs it. */
export async function createKeyProof(
  key: KeyPairJwk & { privateKey: CryptoKey },
  options: { credentialIssuer: string; nonce: string; keyAttestation?: string; overrides?: ProofOverrides },
): Promise<string> {
  const { kty, crv, x, y } = key.publicJwk;
  const header = withoutUndefined({
    typ: 'openid4vci-proof+jwt',
    alg: key.publicJwk.alg,
    jwk: (options.overrides?.jwk ?? ((jwk) => jwk))(withoutUndefined({ kty, crv, x, y })),
    key_attestation: options.keyAttestation,
    ...options.overrides?.header,
  });
  const payload = withoutUndefined({ aud: options.credentialIssuer, iat: Math.floor(Date.now() / 1000), nonce: options.nonce, ...options.overrides?.payload });
  return new CompactSign(Buffer.from(JSON.stringify(payload), 'utf8'))
    .setProtectedHeader(header as { alg: string })
    .sign(options.overrides?.signingKey ?? key.privateKey);
}

export interface BuiltGetCredentialRequest {
  body: GetCredentialRequest;
  walletEncryption: { privateJwk: HpkeJwk & { d: string }; publicJwk: HpkeJwk };
  presentmentKeys: (KeyPairJwk & { privateKey: CryptoKey })[];
}

export async function buildGetCredentialRequest(options: {
  sessionId: string;
  credentialInstanceId: string;
  nonce: string;
  walletSigningKey: WalletSigningKey;
  /** The issuer's public HPKE key from its metadata (issuer_encryption_jwks). */
  issuerEncryptionKey: HpkeJwk;
  credentialIssuer: string;
  presentmentKeyCount?: number;
  presentmentKeyAlg?: PresentmentKeyAlg;
  /** One attestation of all presentment keys, carried in each proof's header. */
  keyAttestation?: { attester: KeyAttester; claims?: Record<string, unknown>; header?: Record<string, unknown>; withNonce?: boolean };
  /** The Wallet Encryption Key's HPKE algorithm; HPKE-0-KE by default (profile §11). */
  walletEncryptionAlg?: string;
  overrides?: GetRequestOverrides;
}): Promise<BuiltGetCredentialRequest> {
  const overrides = options.overrides ?? {};
  const presentmentKeys = await Promise.all(Array.from({ length: options.presentmentKeyCount ?? 1 }, () => generatePresentmentKey(options.presentmentKeyAlg)));
  const attestation = options.keyAttestation
    ? await options.keyAttestation.attester.attest({
        keys: presentmentKeys.map(({ publicJwk: { kty, crv, x, y } }) => withoutUndefined({ kty, crv, x, y }) as JWK),
        ...(options.keyAttestation.withNonce === false ? {} : { nonce: options.nonce }),
        ...(options.keyAttestation.claims ? { claims: options.keyAttestation.claims } : {}),
        ...(options.keyAttestation.header ? { header: options.keyAttestation.header } : {}),
      })
    : undefined;
  const built = await Promise.all(
    presentmentKeys.map((key, index) =>
      createKeyProof(key, {
        credentialIssuer: options.credentialIssuer,
        nonce: options.nonce,
        ...(attestation ? { keyAttestation: attestation } : {}),
        ...(overrides.proof?.(index) ? { overrides: overrides.proof(index) } : {}),
      }),
    ),
  );
  const proofs = typeof overrides.presentmentKeys === 'function' ? await overrides.presentmentKeys(built) : (overrides.presentmentKeys ?? built);

  const privateJwk = await generateHpkeJwk(options.walletEncryptionAlg ?? 'HPKE-0-KE');
  const publicJwk = publicHpkeJwk(privateJwk);
  const claims = withoutUndefined({
    credentialInstanceId: options.credentialInstanceId,
    nonce: options.nonce,
    walletEncryptionKeyThumbprint: await calculateJwkThumbprint(publicJwk as JWK, 'sha256'),
    presentmentKeys: proofs,
    ...overrides.claims,
  });
  const binding = 'sessionId' in (overrides.claims ?? {}) ? { sessionId: overrides.claims?.sessionId as string } : { sessionId: options.sessionId };
  const payload = await createClientEncryptedPayload({
    key: options.walletSigningKey,
    issuerKey: options.issuerEncryptionKey,
    claims,
    binding,
    ...(overrides.iat === undefined ? {} : { iat: overrides.iat }),
    ...(binding.sessionId === undefined ? { omitClaims: ['sessionId'] } : {}),
  });
  const body: GetCredentialRequest = {
    sessionId: options.sessionId,
    credentialInstanceId: options.credentialInstanceId,
    reason: 'first provisioning',
    walletEncryptionKey: { keyType: 'WALLET_ENCRYPTION_KEY', client_public_key: publicJwk as PublicJwk, ...overrides.walletEncryptionKey },
    ...(overrides.clientEncryptedData === null ? {} : { clientEncryptedData: { ...payload, ...overrides.clientEncryptedData } }),
  };
  return { body, walletEncryption: { privateJwk, publicJwk }, presentmentKeys };
}

/**
 * The Wallet Client's side of a get's answer (wallet/credential-request.ts): the credentials
 * JWE, given in band or as the downloaded content, decrypted with the Wallet Encryption Key.
 */
export function openCredentials(credentials: DeliveredCredentials | string, walletEncryptionPrivateJwk: HpkeJwk & { d: string }): Promise<string[]> {
  return openDeliveredCredentials(typeof credentials === 'string' ? { jwe: credentials, origin: 'ISSUER' } : credentials, walletEncryptionPrivateJwk);
}
