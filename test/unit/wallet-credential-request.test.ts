import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, importJWK, jwtVerify, type JWK } from 'jose';
import { Value } from '@sinclair/typebox/value';
import { openClientEncryptedPayload } from '../../crypto/client-encrypted-payload';
import { verifyCredentialRequest } from '../../crypto/credential-request-verification';
import { parseKeyAttestationTrust } from '../../crypto/key-attestation';
import { issuerEncryptionJwks, type IssuerKeys } from '../../crypto/issuer-keys';
import { encryptJwe, type HpkeJwk } from '../../crypto/jwe-hpke';
import { CredentialRequestClaims, GetCredentialRequest, type DeliveredCredentials } from '../../domain/schemas/credential';
import {
  createGetCredentialRequest,
  generatePresentmentKey,
  generateWalletEncryptionKey,
  openCredentials,
  type WalletEncryptionKey,
} from '../../wallet/credential-request';
import { generateWalletSigningKey, type WalletSigningKey } from '../../wallet/wallet-client-instance';
import { generateIssuerKeys } from '../support/issuer-test-keys';

const credentialIssuer = 'https://issuer.test';
const nonce = 'c-nonce-0123456789abcdefghijklmnopqrstuvwxyz01234';
let issuerKeys: IssuerKeys;
let issuerKey: HpkeJwk;
let wsk: WalletSigningKey;

beforeAll(async () => {
  issuerKeys = await generateIssuerKeys();
  issuerKey = issuerEncryptionJwks(issuerKeys).keys[0] as HpkeJwk;
  wsk = await generateWalletSigningKey('ES256');
});

const newRequest = (presentmentKeyCount = 3) =>
  createGetCredentialRequest({
    walletSigningKey: wsk,
    issuerKey,
    credentialIssuer,
    sessionId: randomUUID(),
    credentialInstanceId: `instance-${randomUUID()}`,
    nonce,
    presentmentKeyCount,
  });

/** What the issuer's answer carries: the JSON array of credentials, encrypted to the WEK (S2S §Get Credential). */
async function issuerAnswer(credentials: unknown, wek: WalletEncryptionKey, alg?: string): Promise<DeliveredCredentials> {
  const jwe = await encryptJwe(Buffer.from(JSON.stringify(credentials), 'utf8'), wek.publicJwk, alg ? { alg } : {});
  return { jwe, origin: 'ISSUER' };
}

describe('createGetCredentialRequest (profile §25, the wallet side)', () => {
  it('builds a body the GetCredentialRequest schema accepts, with the WEK as WALLET_ENCRYPTION_KEY', async () => {
    const { body, walletEncryptionKey } = await newRequest();
    expect(Value.Check(GetCredentialRequest, body)).toBe(true);
    expect(body.walletEncryptionKey).toEqual({ keyType: 'WALLET_ENCRYPTION_KEY', client_public_key: walletEncryptionKey.publicJwk });
    expect(body.walletEncryptionKey.client_public_key).not.toHaveProperty('d');
  });

  it('signs clientEncryptedData with the WSK, encrypted to the issuer, binding instance, nonce, WEK thumbprint and one proof per key', async () => {
    const { body, presentmentKeys } = await newRequest(3);
    if (!body.clientEncryptedData) throw new Error('no clientEncryptedData');
    expect(body.clientEncryptedData.origin).toBe('WALLET_CLIENT');
    const claims = await openClientEncryptedPayload(body.clientEncryptedData.jwe, { issuerKeys, walletSigningKey: wsk.publicJwk });
    expect(Value.Check(CredentialRequestClaims, claims)).toBe(true);
    expect(claims).toMatchObject({
      sessionId: body.sessionId,
      credentialInstanceId: body.credentialInstanceId,
      nonce,
      walletEncryptionKeyThumbprint: await calculateJwkThumbprint(body.walletEncryptionKey.client_public_key as JWK, 'sha256'),
    });
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(claims.presentmentKeys).toHaveLength(presentmentKeys.length);
  });

  it('makes each proof an OpenID4VCI 1.0 jwt key proof that jose verifies with its own header jwk', async () => {
    const { body, presentmentKeys } = await newRequest(3);
    const claims = await openClientEncryptedPayload(body.clientEncryptedData?.jwe ?? '', { issuerKeys, walletSigningKey: wsk.publicJwk });
    const proofs = claims.presentmentKeys as string[];
    const provenKeys: string[] = [];
    for (const [i, proof] of proofs.entries()) {
      const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'openid4vci-proof+jwt',
        audience: credentialIssuer,
        algorithms: ['ES256'],
        maxTokenAge: '1 minute',
        requiredClaims: ['iat', 'nonce'],
      });
      expect(payload.nonce).toBe(nonce);
      // The header names the key by value only, public members only (Appendix F.1: jwk, no kid or x5c).
      expect(protectedHeader.jwk).toEqual(presentmentKeys[i]?.publicJwk);
      expect(protectedHeader).not.toHaveProperty('kid');
      expect(protectedHeader.jwk).not.toHaveProperty('d');
      provenKeys.push(await calculateJwkThumbprint(protectedHeader.jwk as JWK, 'sha256'));
    }
    expect(new Set(provenKeys).size).toBe(3);
  });

  it('fails verification of a proof against another presentment key', async () => {
    const { body } = await newRequest(1);
    const claims = await openClientEncryptedPayload(body.clientEncryptedData?.jwe ?? '', { issuerKeys, walletSigningKey: wsk.publicJwk });
    const proof = (claims.presentmentKeys as string[])[0] ?? '';
    const other = await generatePresentmentKey();
    await expect(jwtVerify(proof, await importJWK(other.publicJwk as JWK, 'ES256'))).rejects.toThrow();
    expect(decodeProtectedHeader(proof).typ).toBe('openid4vci-proof+jwt');
  });

  it("passes the issuer's own verification of a get (crypto/credential-request-verification.ts) and proves exactly its keys", async () => {
    const { body, walletEncryptionKey, presentmentKeys } = await newRequest(3);
    const consumed: string[] = [];
    const proven = await verifyCredentialRequest(body, {
      tenantId: 'tenant-1',
      requestId: randomUUID(),
      issuerKeys,
      walletSigningKey: wsk.publicJwk,
      credentialIssuer,
      iatWindowMs: 300_000,
      configuration: { batchSize: 3, proofSigningAlgorithms: ['ES256'], keyAttestation: { required: false, trustedIssuers: [] } },
      attestationTrust: parseKeyAttestationTrust({ issuers: [] }, 'no attesters'),
      // The issuer's nonce store answers for the nonce the wallet signed (a fake: unit test).
      nonces: {
        consume: async (_tenant, _instance, presented) => {
          consumed.push(presented);
          return presented === nonce ? 'accepted' : 'unknown';
        },
      },
    });
    expect(consumed).toEqual([nonce]);
    expect(await calculateJwkThumbprint(proven.walletEncryptionKey as JWK, 'sha256')).toBe(
      await calculateJwkThumbprint(walletEncryptionKey.publicJwk as JWK, 'sha256'),
    );
    expect(proven.presentmentKeys.map((key) => key.x)).toEqual(presentmentKeys.map((key) => key.publicJwk.x));
  });

  it('uses the keys it is given instead of fresh ones', async () => {
    const walletEncryptionKey = await generateWalletEncryptionKey();
    const presentmentKeys = [await generatePresentmentKey()];
    const made = await createGetCredentialRequest({
      walletSigningKey: wsk,
      issuerKey,
      credentialIssuer,
      sessionId: randomUUID(),
      credentialInstanceId: 'i-1',
      nonce,
      walletEncryptionKey,
      presentmentKeys,
    });
    expect(made.walletEncryptionKey).toBe(walletEncryptionKey);
    expect(made.presentmentKeys).toBe(presentmentKeys);
    expect(made.body.walletEncryptionKey.client_public_key).toEqual(walletEncryptionKey.publicJwk);
  });
});

describe('openCredentials (S2S §Get Credential, the credentials JWE)', () => {
  const credentials = ['eyJhbGciOiJFUzI1NiJ9.e30.sig~disclosure~', 'second~', 'third~'];

  it.each(['HPKE-0-KE', 'HPKE-0'])('decrypts the array of credentials the issuer encrypted to the WEK (%s)', async (alg) => {
    const wek = await generateWalletEncryptionKey();
    expect(await openCredentials(await issuerAnswer(credentials, wek, alg), wek.privateJwk)).toEqual(credentials);
  });

  it('decrypts to a WEK of another suite (HPKE-3, X25519)', async () => {
    const wek = await generateWalletEncryptionKey('HPKE-3');
    expect(await openCredentials(await issuerAnswer(credentials, wek), wek.privateJwk)).toEqual(credentials);
  });

  it('refuses an answer encrypted to another key', async () => {
    const wek = await generateWalletEncryptionKey();
    const other = await generateWalletEncryptionKey();
    await expect(openCredentials(await issuerAnswer(credentials, other), wek.privateJwk)).rejects.toThrow();
  });

  it('refuses a plaintext that is not an array of credential strings', async () => {
    const wek = await generateWalletEncryptionKey();
    await expect(openCredentials(await issuerAnswer({ credentials }, wek), wek.privateJwk)).rejects.toThrow('not an array of strings');
    await expect(openCredentials(await issuerAnswer([1, 2], wek), wek.privateJwk)).rejects.toThrow('not an array of strings');
  });

  it('refuses credentials whose origin is not the ISSUER', async () => {
    const wek = await generateWalletEncryptionKey();
    const answer = await issuerAnswer(credentials, wek);
    await expect(openCredentials({ ...answer, origin: 'WALLET_SERVER' } as DeliveredCredentials, wek.privateJwk)).rejects.toThrow('ISSUER');
  });

  it('downloads an answer by reference and checks its contentDigest (S2S §Content Reference)', async () => {
    const wek = await generateWalletEncryptionKey();
    const { jwe } = (await issuerAnswer(credentials, wek)) as { jwe: string };
    const bytes = Buffer.from(jwe, 'utf8');
    const contentDigest = createHash('sha256').update(bytes).digest('base64url');
    const byReference = (digest: string): DeliveredCredentials => ({
      contentReference: { downloadUrl: 'https://issuer.test/content/abc', contentDigest: digest, contentSize: bytes.length },
      origin: 'ISSUER',
    });
    const download = jest.fn(async () => new Uint8Array(bytes));
    expect(await openCredentials(byReference(contentDigest), wek.privateJwk, { download })).toEqual(credentials);
    expect(download).toHaveBeenCalledWith('https://issuer.test/content/abc');
    const tampered = createHash('sha256').update('other').digest('base64url');
    await expect(openCredentials(byReference(tampered), wek.privateJwk, { download })).rejects.toThrow('contentDigest');
    await expect(openCredentials(byReference(contentDigest), wek.privateJwk)).rejects.toThrow('download');
  });
});
