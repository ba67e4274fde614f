import { randomUUID } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import {
  credentialRequestProblem,
  CredentialRequestRefused,
  verifyCredentialRequest,
  type CredentialRequestContext,
} from '../../../crypto/credential-request-verification';
import { ProblemType } from '../../../domain/problems';
import { generateHpkeJwk, type IssuerKeys } from '../../../crypto/issuer-keys';
import { encryptJwe, publicHpkeJwk } from '../../../crypto/jwe-hpke';
import { parseKeyAttestationTrust } from '../../../crypto/key-attestation';
import type { GetCredentialRequest } from '../../../domain/schemas/credential';
import type { CredentialNonceConsumption } from '../../../store/credential-nonces';
import { generateWalletSigningKey, type WalletSigningKey } from '../../../wallet/wallet-client-instance';
import {
  buildGetCredentialRequest,
  createKeyAttester,
  generatePresentmentKey,
  openCredentials,
  type GetRequestOverrides,
  type KeyAttester,
  type PresentmentKeyAlg,
} from '../../support/credential-wallet';
import { generateIssuerKeys } from '../../support/issuer-test-keys';

/**
 * Profile §25: every check of a get's key proofs, each by a request that fails only that check.
 * The nonce store is an in-memory fake with the store's semantics (store/credential-nonces.ts;
 * the real one is tested against FerretDB in test/integration/credential-nonces.test.ts).
 */
function createFakeNonces() {
  const issued = new Map<string, { tenantId: string; credentialInstanceId: string; expired: boolean; usedBy?: string }>();
  return {
    issue(tenantId: string, credentialInstanceId: string, state: { expired?: boolean; usedBy?: string } = {}): string {
      const nonce = randomUUID();
      issued.set(nonce, { tenantId, credentialInstanceId, expired: state.expired ?? false, ...(state.usedBy ? { usedBy: state.usedBy } : {}) });
      return nonce;
    },
    async consume(tenantId: string, credentialInstanceId: string, nonce: string, requestId: string): Promise<CredentialNonceConsumption> {
      const record = issued.get(nonce);
      if (!record || record.tenantId !== tenantId || record.credentialInstanceId !== credentialInstanceId) return 'unknown';
      if (record.usedBy !== undefined) return record.usedBy === requestId ? 'accepted' : 'used';
      if (record.expired) return 'expired';
      record.usedBy = requestId;
      return 'accepted';
    },
    usedBy: (nonce: string) => issued.get(nonce)?.usedBy,
  };
}

const tenantId = 'tenant-a';
const credentialIssuer = 'https://issuer.example';
let issuerKeys: IssuerKeys;
let walletSigningKey: WalletSigningKey;
let attester: KeyAttester;
beforeAll(async () => {
  issuerKeys = await generateIssuerKeys();
  walletSigningKey = await generateWalletSigningKey();
  attester = await createKeyAttester();
});

interface Case {
  overrides?: GetRequestOverrides;
  presentmentKeyCount?: number;
  presentmentKeyAlg?: PresentmentKeyAlg;
  attestationRequired?: boolean;
  keyAttestation?: Parameters<typeof buildGetCredentialRequest>[0]['keyAttestation'];
  /** The nonce the payload carries; a fresh one of the instance by default. */
  nonce?: (nonces: ReturnType<typeof createFakeNonces>, credentialInstanceId: string) => string;
  walletEncryptionAlg?: string;
  /** Changes the request after it was built. */
  body?: (body: GetCredentialRequest) => GetCredentialRequest;
}

async function prepare(c: Case = {}) {
  const nonces = createFakeNonces();
  const sessionId = randomUUID();
  const credentialInstanceId = randomUUID();
  const nonce = c.nonce ? c.nonce(nonces, credentialInstanceId) : nonces.issue(tenantId, credentialInstanceId);
  const built = await buildGetCredentialRequest({
    sessionId,
    credentialInstanceId,
    nonce,
    walletSigningKey,
    issuerEncryptionKey: publicHpkeJwk(issuerKeys.encryption[0]?.jwk ?? (await generateHpkeJwk())),
    credentialIssuer,
    ...(c.presentmentKeyCount ? { presentmentKeyCount: c.presentmentKeyCount } : {}),
    ...(c.presentmentKeyAlg ? { presentmentKeyAlg: c.presentmentKeyAlg } : {}),
    ...(c.keyAttestation ? { keyAttestation: c.keyAttestation } : c.attestationRequired ? { keyAttestation: { attester } } : {}),
    ...(c.walletEncryptionAlg ? { walletEncryptionAlg: c.walletEncryptionAlg } : {}),
    ...(c.overrides ? { overrides: c.overrides } : {}),
  });
  const ctx: CredentialRequestContext = {
    tenantId,
    requestId: randomUUID(),
    issuerKeys,
    walletSigningKey: walletSigningKey.publicJwk,
    credentialIssuer,
    iatWindowMs: 300_000,
    configuration: {
      batchSize: 3,
      proofSigningAlgorithms: ['ES256', 'EdDSA'],
      keyAttestation: c.attestationRequired
        ? { required: true, keyStorage: ['iso_18045_high'], userAuthentication: ['iso_18045_high'], trustedIssuers: [attester.iss] }
        : { required: false, trustedIssuers: [] },
    },
    attestationTrust: parseKeyAttestationTrust({ issuers: [attester.trustEntry] }, 'test trust'),
    nonces,
  };
  const body = c.body ? c.body(built.body) : built.body;
  return { ...built, body, ctx, nonce, nonces };
}

async function refusalOf(c: Case): Promise<CredentialRequestRefused & { nonceUsed: boolean }> {
  const { body, ctx, nonce, nonces } = await prepare(c);
  try {
    await verifyCredentialRequest(body, ctx);
  } catch (error) {
    if (error instanceof CredentialRequestRefused) return Object.assign(error, { nonceUsed: nonces.usedBy(nonce) !== undefined });
    throw error;
  }
  throw new Error('the request was accepted');
}

const proofOf = (index: number, change: NonNullable<GetRequestOverrides['proof']> extends (i: number) => infer T ? T : never): GetRequestOverrides => ({
  proof: (i) => (i === index ? change : undefined),
});

describe('verifyCredentialRequest accepts', () => {
  it('a get whose payload and proofs verify, returning the public keys it proved and using the nonce up for this request', async () => {
    const { body, ctx, nonce, nonces, walletEncryption, presentmentKeys } = await prepare({ presentmentKeyCount: 3 });
    const proven = await verifyCredentialRequest(body, ctx);
    expect(proven.walletEncryptionKey).toEqual(walletEncryption.publicJwk);
    expect(proven.walletEncryptionKey).not.toHaveProperty('d');
    expect(proven.presentmentKeys).toEqual(presentmentKeys.map((key) => key.publicJwk));
    for (const key of proven.presentmentKeys) expect(key).not.toHaveProperty('d');
    expect(nonces.usedBy(nonce)).toBe(ctx.requestId);
  });

  it('the same request again (a retry after a crash), and no other', async () => {
    const { body, ctx } = await prepare();
    await verifyCredentialRequest(body, ctx);
    await expect(verifyCredentialRequest(body, ctx)).resolves.toBeDefined();
    await expect(verifyCredentialRequest(body, { ...ctx, requestId: randomUUID() })).rejects.toThrow(/nonce has been used by another request/);
  });

  it('EdDSA proofs and an X25519 Wallet Encryption Key', async () => {
    const { body, ctx } = await prepare({ presentmentKeyAlg: 'EdDSA', walletEncryptionAlg: 'HPKE-3-KE' });
    const proven = await verifyCredentialRequest(body, ctx);
    expect(proven.presentmentKeys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect(proven.walletEncryptionKey).toMatchObject({ kty: 'OKP', crv: 'X25519', alg: 'HPKE-3-KE' });
  });

  it('proofs with a key attestation from a trusted issuer when the configuration requires one (x5c and JWK-signed)', async () => {
    const { body, ctx } = await prepare({ attestationRequired: true, presentmentKeyCount: 2 });
    await expect(verifyCredentialRequest(body, ctx)).resolves.toBeDefined();
    const jwkAttester = await createKeyAttester({ mode: 'jwk', iss: 'https://other-provider.example' });
    const second = await prepare({ attestationRequired: true, keyAttestation: { attester: jwkAttester } });
    second.ctx.configuration.keyAttestation.trustedIssuers.push(jwkAttester.iss);
    second.ctx.attestationTrust = parseKeyAttestationTrust({ issuers: [attester.trustEntry, jwkAttester.trustEntry] }, 'test trust');
    await expect(verifyCredentialRequest(second.body, second.ctx)).resolves.toBeDefined();
  });

  it('proofs without a key attestation when the configuration requires none', async () => {
    const { body, ctx } = await prepare();
    expect(ctx.configuration.keyAttestation.required).toBe(false);
    await expect(verifyCredentialRequest(body, ctx)).resolves.toBeDefined();
  });
});

describe('verifyCredentialRequest refuses, before the nonce is used,', () => {
  it('a get without clientEncryptedData', async () => {
    const refused = await refusalOf({ overrides: { clientEncryptedData: null } });
    expect(refused).toMatchObject({ failure: 'invalid_client_authentication', pointer: '/clientEncryptedData' });
    expect(refused.message).toMatch(/clientEncryptedData is required/);
  });

  it('clientEncryptedData that does not originate from the Wallet Client', async () => {
    const refused = await refusalOf({ overrides: { clientEncryptedData: { origin: 'WALLET_SERVER' } } });
    expect(refused).toMatchObject({ failure: 'invalid_request', pointer: '/clientEncryptedData/origin' });
  });

  it('a walletEncryptionKey whose keyType is not WALLET_ENCRYPTION_KEY', async () => {
    const refused = await refusalOf({ overrides: { walletEncryptionKey: { keyType: 'WALLET_SIGNING_KEY' } } });
    expect(refused).toMatchObject({ failure: 'invalid_request', pointer: '/walletEncryptionKey/keyType' });
  });

  it('a walletEncryptionKey with its private part', async () => {
    const refused = await refusalOf({
      body: (body) => ({
        ...body,
        walletEncryptionKey: { ...body.walletEncryptionKey, client_public_key: { ...body.walletEncryptionKey.client_public_key, d: 'AAAA' } },
      }),
    });
    expect(refused).toMatchObject({ failure: 'invalid_request', pointer: '/walletEncryptionKey/client_public_key/d' });
  });

  it('a walletEncryptionKey whose alg is not an HPKE algorithm', async () => {
    const refused = await refusalOf({
      body: (body) => ({
        ...body,
        walletEncryptionKey: { ...body.walletEncryptionKey, client_public_key: { ...body.walletEncryptionKey.client_public_key, alg: 'ECDH-ES' } },
      }),
    });
    expect(refused).toMatchObject({ failure: 'invalid_request', pointer: '/walletEncryptionKey/client_public_key/alg' });
  });

  it('a walletEncryptionKey that is not a usable key of its suite (wrong curve, point off the curve)', async () => {
    const wrongSuite = await refusalOf({
      body: (body) => ({
        ...body,
        walletEncryptionKey: { ...body.walletEncryptionKey, client_public_key: { ...body.walletEncryptionKey.client_public_key, alg: 'HPKE-3-KE' } },
      }),
    });
    expect(wrongSuite).toMatchObject({ failure: 'invalid_request', pointer: '/walletEncryptionKey/client_public_key' });
    const offCurve = await refusalOf({
      body: (body) => ({
        ...body,
        walletEncryptionKey: {
          ...body.walletEncryptionKey,
          client_public_key: { ...body.walletEncryptionKey.client_public_key, y: Buffer.alloc(32, 1).toString('base64url') },
        },
      }),
    });
    expect(offCurve).toMatchObject({ failure: 'invalid_request', pointer: '/walletEncryptionKey/client_public_key' });
  });

  it('a payload that is not encrypted to an issuer key', async () => {
    const other = publicHpkeJwk(await generateHpkeJwk());
    const { body, ctx } = await prepare();
    const foreign = await buildGetCredentialRequest({
      sessionId: body.sessionId,
      credentialInstanceId: body.credentialInstanceId,
      nonce: 'n',
      walletSigningKey,
      issuerEncryptionKey: other,
      credentialIssuer,
    });
    await expect(verifyCredentialRequest({ ...body, clientEncryptedData: foreign.body.clientEncryptedData }, ctx)).rejects.toMatchObject({
      failure: 'invalid_encryption',
      pointer: '/clientEncryptedData',
    });
  });

  it("a payload not signed by the session's Wallet Signing Key", async () => {
    const { body, ctx } = await prepare();
    const otherWsk = await generateWalletSigningKey();
    await expect(verifyCredentialRequest(body, { ...ctx, walletSigningKey: otherWsk.publicJwk })).rejects.toMatchObject({
      failure: 'invalid_client_authentication',
      message: expect.stringMatching(/not a JWS signed by the Wallet Signing Key/),
    });
  });

  it('a signed payload that is not a CredentialRequestClaims', async () => {
    const noKeys = await refusalOf({ overrides: { claims: { presentmentKeys: undefined } } });
    expect(noKeys).toMatchObject({ failure: 'invalid_request', pointer: '/clientEncryptedData' });
    expect(noKeys.message).toMatch(/presentmentKeys/);
    expect(noKeys.nonceUsed).toBe(false);
    const noProofs = await refusalOf({ overrides: { claims: { presentmentKeys: [] } } });
    expect(noProofs).toMatchObject({ failure: 'invalid_request' });
  });

  it('a payload made for another session', async () => {
    const refused = await refusalOf({ overrides: { claims: { sessionId: randomUUID() } } });
    expect(refused).toMatchObject({ failure: 'invalid_client_authentication' });
    expect(refused.message).toMatch(/^sessionId is not this request's/);
    expect(refused.nonceUsed).toBe(false);
  });

  it('a payload made for another credential instance', async () => {
    const refused = await refusalOf({ overrides: { claims: { credentialInstanceId: randomUUID() } } });
    expect(refused.message).toMatch(/^credentialInstanceId is not this request's/);
    expect(refused.nonceUsed).toBe(false);
  });
});

describe('verifyCredentialRequest refuses a nonce that is', () => {
  it('unknown', async () => {
    const refused = await refusalOf({ nonce: () => 'never-issued' });
    expect(refused).toMatchObject({ failure: 'invalid_client_authentication', message: 'nonce is not a c_nonce issued for this credential instance' });
  });

  it("another instance's", async () => {
    const refused = await refusalOf({ nonce: (nonces) => nonces.issue(tenantId, randomUUID()) });
    expect(refused.message).toBe('nonce is not a c_nonce issued for this credential instance');
  });

  it('expired', async () => {
    const refused = await refusalOf({ nonce: (nonces, instance) => nonces.issue(tenantId, instance, { expired: true }) });
    expect(refused.message).toBe('nonce has expired');
  });

  it('used by another request', async () => {
    const refused = await refusalOf({ nonce: (nonces, instance) => nonces.issue(tenantId, instance, { usedBy: randomUUID() }) });
    expect(refused.message).toBe('nonce has been used by another request');
  });
});

describe('verifyCredentialRequest refuses, leaving the nonce used,', () => {
  it('a payload whose iat is outside the window', async () => {
    const refused = await refusalOf({ overrides: { iat: Math.floor(Date.now() / 1000) - 600 } });
    expect(refused).toMatchObject({ failure: 'invalid_client_authentication' });
    expect(refused.message).toMatch(/^iat is more than 300 s/);
    expect(refused.nonceUsed).toBe(true);
  });

  it('a payload carrying a claim of the verification endpoints (profile §11 binding)', async () => {
    const refused = await refusalOf({ overrides: { claims: { verificationId: randomUUID() } } });
    expect(refused.message).toMatch(/^verificationId must be absent/);
  });

  it('a walletEncryptionKeyThumbprint that is not the walletEncryptionKey’s', async () => {
    const other = publicHpkeJwk(await generateHpkeJwk());
    const refused = await refusalOf({ body: (body) => ({ ...body, walletEncryptionKey: { ...body.walletEncryptionKey, client_public_key: other as never } }) });
    expect(refused.message).toMatch(/^walletEncryptionKeyThumbprint is not/);
    expect(refused.nonceUsed).toBe(true);
  });

  it('more proofs than the configuration’s batch size', async () => {
    const refused = await refusalOf({ presentmentKeyCount: 4 });
    expect(refused.message).toMatch(/^4 presentment keys; this credential configuration issues at most 3/);
  });

  it('two proofs of one key', async () => {
    const refused = await refusalOf({ overrides: { presentmentKeys: (proofs) => [proofs[0] as string, proofs[0] as string] } });
    expect(refused.message).toBe('presentmentKeys/1 proves the same key as presentmentKeys/0');
    expect(refused.nonceUsed).toBe(true);
  });
});

/** A proof re-signed as an unsecured JWS (RFC 7515 Appendix A.5) or with a MAC, keeping its header and payload. */
async function resigned(proof: string, alg: 'none' | 'HS256'): Promise<string> {
  const [header, payload] = proof.split('.') as [string, string];
  const protectedHeader = { ...JSON.parse(Buffer.from(header, 'base64url').toString('utf8')), alg };
  const payloadBytes = Buffer.from(payload, 'base64url');
  if (alg === 'none') return `${Buffer.from(JSON.stringify(protectedHeader)).toString('base64url')}.${payload}.`;
  return new CompactSign(payloadBytes).setProtectedHeader(protectedHeader).sign(new Uint8Array(32).fill(7));
}

describe('verifyCredentialRequest refuses a key proof (OpenID4VCI 1.0 Appendix F.1) that', () => {
  const cases: [string, GetRequestOverrides, RegExp][] = [
    ['is not a JWS', { presentmentKeys: () => ['not-a-jws'] }, /is not a JWS/],
    ['is not typed openid4vci-proof+jwt', proofOf(0, { header: { typ: 'JWT' } }), /typ must be openid4vci-proof\+jwt/],
    ['has no typ', proofOf(0, { header: { typ: undefined } }), /typ must be openid4vci-proof\+jwt/],
    ['names its key by kid besides jwk', proofOf(0, { header: { kid: 'key-1' } }), /by jwk only, not kid/],
    ['names its key by x5c besides jwk', proofOf(0, { header: { x5c: ['MIIB'] } }), /by jwk only, not x5c/],
    ['carries a trust_chain', proofOf(0, { header: { trust_chain: ['eyJ'] } }), /by jwk only, not trust_chain/],
    ['has no jwk', proofOf(0, { header: { jwk: undefined } }), /needs the presentment key in the jwk header/],
    ['is for another Credential Issuer (aud)', proofOf(0, { payload: { aud: 'https://other-issuer.example' } }), /aud is not the Credential Issuer Identifier/],
    ['has no aud', proofOf(0, { payload: { aud: undefined } }), /aud is not the Credential Issuer Identifier/],
    ['has no iat', proofOf(0, { payload: { iat: undefined } }), /iat is required/],
    ['was made too long ago (iat)', proofOf(0, { payload: { iat: Math.floor(Date.now() / 1000) - 301 } }), /iat is more than 300 s/],
    ['claims to be made in the future (iat)', proofOf(0, { payload: { iat: Math.floor(Date.now() / 1000) + 400 } }), /iat is more than 300 s/],
    ['has expired (exp)', proofOf(0, { payload: { exp: Math.floor(Date.now() / 1000) - 1 } }), /has expired \(exp\)/],
    ['is not valid yet (nbf)', proofOf(0, { payload: { nbf: Math.floor(Date.now() / 1000) + 400 } }), /not valid yet \(nbf\)/],
    ['carries another nonce', proofOf(0, { payload: { nonce: 'another-nonce' } }), /nonce is not the c_nonce/],
    ['carries no nonce', proofOf(0, { payload: { nonce: undefined } }), /nonce is not the c_nonce/],
  ];
  it.each(cases)('%s', async (_name, overrides, expected) => {
    const refused = await refusalOf({ overrides, presentmentKeyCount: 2 });
    expect(refused).toMatchObject({ failure: 'invalid_client_authentication', pointer: '/clientEncryptedData' });
    expect(refused.message).toMatch(/^presentmentKeys\/0: /);
    expect(refused.message).toMatch(expected);
    expect(refused.nonceUsed).toBe(true);
  });

  it('is the second of two and fails (every proof is checked)', async () => {
    const refused = await refusalOf({ overrides: proofOf(1, { payload: { nonce: 'another-nonce' } }), presentmentKeyCount: 2 });
    expect(refused.message).toBe('presentmentKeys/1: nonce is not the c_nonce of this request');
  });

  it('uses an algorithm the configuration does not accept (ES384)', async () => {
    const refused = await refusalOf({ presentmentKeyAlg: 'ES384' });
    expect(refused.message).toBe('presentmentKeys/0: alg ES384 is not one of the proof signing algorithms ES256, EdDSA');
  });

  it.each(['none', 'HS256'] as const)('is unsecured or MACed (alg %s)', async (alg) => {
    const refused = await refusalOf({ overrides: { presentmentKeys: async (built) => [await resigned(built[0] as string, alg)] } });
    expect(refused.message).toBe(`presentmentKeys/0: alg ${alg} is not one of the proof signing algorithms ES256, EdDSA`);
  });

  it('has a jwk with a private part', async () => {
    const refused = await refusalOf({ overrides: proofOf(0, { jwk: (jwk) => ({ ...jwk, d: 'AAAA' }) }) });
    expect(refused.message).toBe('presentmentKeys/0: jwk contains the private member "d"');
  });

  it('has a jwk whose alg is not the header alg', async () => {
    const refused = await refusalOf({ overrides: proofOf(0, { jwk: (jwk) => ({ ...jwk, alg: 'ES384' }) }) });
    expect(refused.message).toBe('presentmentKeys/0: jwk alg ES384 is not the header alg ES256');
  });

  it('has a jwk that is not a key for its alg (a P-384 key under ES256)', async () => {
    const { publicKey } = await generateKeyPair('ES384', { extractable: true });
    const p384 = await exportJWK(publicKey);
    const refused = await refusalOf({ overrides: proofOf(0, { jwk: () => p384 as Record<string, unknown> }) });
    expect(refused.message).toBe('presentmentKeys/0: jwk is not a public key for ES256');
  });

  it('has a payload that is not a JSON object', async () => {
    const key = await generatePresentmentKey();
    const { kty, crv, x, y } = key.publicJwk;
    const arrayPayload = await new CompactSign(Buffer.from(JSON.stringify([credentialIssuer])))
      .setProtectedHeader({ typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: { kty, crv, x, y } as JWK })
      .sign(key.privateKey);
    const refused = await refusalOf({ overrides: { presentmentKeys: [arrayPayload] } });
    expect(refused.message).toBe('presentmentKeys/0: the payload is not a JSON object');
  });

  it('is signed by another key than its jwk', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const refused = await refusalOf({ overrides: proofOf(0, { signingKey: privateKey as CryptoKey }) });
    expect(refused.message).toBe('presentmentKeys/0: the signature does not verify with its jwk');
  });
});

describe('verifyCredentialRequest, when the configuration requires key attestations, refuses a proof', () => {
  it('without a key_attestation header', async () => {
    const refused = await refusalOf({ attestationRequired: true, overrides: proofOf(0, { header: { key_attestation: undefined } }) });
    expect(refused.message).toBe('presentmentKeys/0: needs a key_attestation header: the configuration requires key attestations');
  });

  it('whose key attestation fails (here: from an issuer the configuration does not trust)', async () => {
    const untrusted = await createKeyAttester({ iss: 'https://untrusted-provider.example' });
    const refused = await refusalOf({ attestationRequired: true, keyAttestation: { attester: untrusted } });
    expect(refused.message).toBe('presentmentKeys/0: key_attestation: iss is not a trusted attestation issuer');
    expect(refused.nonceUsed).toBe(true);
  });

  it('whose key attestation does not attest its key', async () => {
    const other = await buildGetCredentialRequest({
      sessionId: randomUUID(),
      credentialInstanceId: randomUUID(),
      nonce: 'n',
      walletSigningKey,
      issuerEncryptionKey: publicHpkeJwk(issuerKeys.encryption[0]?.jwk as never),
      credentialIssuer,
    });
    const { kty, crv, x, y } = other.presentmentKeys[0]?.publicJwk ?? {};
    const refused = await refusalOf({ attestationRequired: true, keyAttestation: { attester, claims: { attested_keys: [{ kty, crv, x, y }] } } });
    expect(refused.message).toBe('presentmentKeys/0: key_attestation: attested_keys does not contain the key of the proof');
  });
});

describe('credentialRequestProblem', () => {
  it('answers invalid-request with the member in validationErrors, and the draft types with the member in detail', () => {
    const malformed = credentialRequestProblem(
      new CredentialRequestRefused('invalid_request', 'keyType must be WALLET_ENCRYPTION_KEY', '/walletEncryptionKey/keyType'),
    );
    expect(malformed.toBody()).toMatchObject({
      type: ProblemType.invalidRequest,
      status: 400,
      validationErrors: [{ pointer: '/walletEncryptionKey/keyType', message: 'keyType must be WALLET_ENCRYPTION_KEY' }],
    });
    const proof = credentialRequestProblem(
      new CredentialRequestRefused('invalid_client_authentication', 'presentmentKeys/0: typ must be openid4vci-proof+jwt', '/clientEncryptedData'),
    );
    expect(proof.toBody()).toMatchObject({
      type: ProblemType.invalidClientAuthentication,
      status: 400,
      detail: '/clientEncryptedData: presentmentKeys/0: typ must be openid4vci-proof+jwt',
    });
    expect(
      credentialRequestProblem(new CredentialRequestRefused('invalid_encryption', 'the JWE does not decrypt', '/clientEncryptedData')).toBody(),
    ).toMatchObject({
      type: ProblemType.invalidEncryption,
      detail: '/clientEncryptedData: the JWE does not decrypt',
    });
  });
});

describe('the test wallet', () => {
  it('opens the credentials JWE of a get answer with its Wallet Encryption Key, and not a Content Reference', async () => {
    const { walletEncryption } = await prepare();
    const credentials = ['eyJhbGciOiJFUzI1NiJ9.e30.sig~', 'o2d2ZXJzaW9u'];
    const jwe = (await encryptJwe(Buffer.from(JSON.stringify(credentials)), walletEncryption.publicJwk)) as string;
    await expect(openCredentials({ jwe, origin: 'ISSUER' }, walletEncryption.privateJwk)).resolves.toEqual(credentials);
    const byReference = { contentReference: { downloadUrl: 'https://issuer.example/content/x', contentDigest: 'd' }, origin: 'ISSUER' as const };
    await expect(openCredentials(byReference, walletEncryption.privateJwk)).rejects.toThrow(/by reference/);
  });
});
