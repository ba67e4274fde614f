import { randomBytes } from 'node:crypto';
import { UnsecuredJWT } from 'jose';
import { ClientPayloadError, maxClientPayloadBytes, openClientEncryptedPayload } from '../../../crypto/client-encrypted-payload';
import { encryptionKeyAudience, generateHpkeJwk, issuerEncryptionJwks, type IssuerKeys } from '../../../crypto/issuer-keys';
import { decryptJwe, encryptJwe, publicHpkeJwk, type HpkeJwk } from '../../../crypto/jwe-hpke';
import { createClientEncryptedPayload, generateWalletSigningKey, type WalletSigningKey } from '../../../wallet/wallet-client-instance';
import { generateIssuerKeys } from '../../support/issuer-test-keys';

let issuerKeys: IssuerKeys;
let published: HpkeJwk[];
let wsk: WalletSigningKey;
const claims = { id: 'doc-1', type: 'urn:example:document', documentNumber: 'X123' };
// The request binding (profile §11) is checked by the API (test/unit/client-payload-binding.test.ts).
const binding = { sessionId: '5b0b8a5e-7e4c-4f49-9a3c-1f1b6f9e2d10' };

beforeAll(async () => {
  issuerKeys = await generateIssuerKeys();
  published = issuerEncryptionJwks(issuerKeys).keys;
  wsk = await generateWalletSigningKey('ES256');
});

const open = (jwe: string | Record<string, unknown>, walletSigningKey = wsk) =>
  openClientEncryptedPayload(jwe, { issuerKeys, walletSigningKey: walletSigningKey.publicJwk });
const firstKey = () => published[0] as HpkeJwk;

async function expectFailure(promise: Promise<unknown>, failure: ClientPayloadError['failure']) {
  await expect(promise).rejects.toBeInstanceOf(ClientPayloadError);
  await expect(promise).rejects.toMatchObject({ failure });
}

function tamper(compact: string, part: number): string {
  const parts = compact.split('.');
  const bytes = Buffer.from(parts[part] ?? '', 'base64url');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('openClientEncryptedPayload (S2S §Client Encrypted Payload)', () => {
  it.each([
    ['ES256', 'compact', 0],
    ['EdDSA', 'flattened', 1],
  ] as const)('accepts a %s-signed payload in %s serialization encrypted to issuer key %i', async (alg, serialization, keyIndex) => {
    const key = await generateWalletSigningKey(alg);
    const { jwe } = await createClientEncryptedPayload({ key, issuerKey: published[keyIndex] as HpkeJwk, claims, binding, serialization });
    expect(await open(jwe, key)).toEqual({ ...claims, ...binding, iat: expect.any(Number), aud: await encryptionKeyAudience(published[keyIndex] as HpkeJwk) });
  });

  it('publishes only public parts of the issuer keys', () => {
    for (const jwk of published) expect(jwk).not.toHaveProperty('d');
    expect(published.map((k) => k.kid)).toEqual(issuerKeys.encryption.map((k) => k.jwk.kid));
  });

  describe('refuses as invalid_encryption', () => {
    it.each([
      ['a tampered ciphertext', 3],
      ['a tampered authentication tag', 4],
      ['a tampered encrypted key', 1],
    ])('%s', async (_label, part) => {
      const { jwe } = await createClientEncryptedPayload({ key: wsk, issuerKey: firstKey(), claims, binding });
      await expectFailure(open(tamper(jwe as string, part)), 'invalid_encryption');
    });

    it('a tampered protected header (it is the AAD)', async () => {
      const { jwe } = await createClientEncryptedPayload({ key: wsk, issuerKey: firstKey(), claims, binding });
      const [p, ...rest] = (jwe as string).split('.');
      const header = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
      const altered = Buffer.from(JSON.stringify({ ...header, cty: 'json' })).toString('base64url');
      await expectFailure(open([altered, ...rest].join('.')), 'invalid_encryption');
    });

    it('a JWE for a key this issuer does not have (no kid)', async () => {
      const stranger = await generateHpkeJwk('HPKE-0-KE');
      const withoutKid = { ...publicHpkeJwk(stranger), kid: undefined };
      const { jwe } = await createClientEncryptedPayload({ key: wsk, issuerKey: withoutKid, claims, binding });
      await expectFailure(open(jwe), 'invalid_encryption');
    });

    it('an unknown kid', async () => {
      const stranger = await generateHpkeJwk('HPKE-0-KE');
      const { jwe } = await createClientEncryptedPayload({ key: wsk, issuerKey: publicHpkeJwk(stranger), claims, binding });
      await expectFailure(open(jwe), 'invalid_encryption');
    });

    // A real JWE from a valid one: the same signed payload, encrypted with HPKE-0-KE to the same
    // key, with only the protected header's alg replaced. The header is the AAD, so it still
    // decrypts: only the alg check refuses it (a server that took the algorithm from its key
    // instead of the header would accept it).
    async function withHeaderAlg(alg: string): Promise<string> {
      const { jwe } = await createClientEncryptedPayload({ key: wsk, issuerKey: firstKey(), claims, binding });
      const { plaintext, header } = await decryptJwe(jwe, issuerKeys.encryption);
      const relabelled = (await encryptJwe(plaintext, firstKey(), { alg: 'HPKE-0-KE', header: { cty: header.cty, alg } })) as string;
      // Only alg differs from the valid JWE's header (ek is fresh for every encryption).
      const sent = JSON.parse(Buffer.from(relabelled.split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;
      expect({ ...sent, ek: undefined }).toEqual({ ...header, alg, ek: undefined });
      return relabelled;
    }

    it('opens the same re-encrypted JWE when its alg is left as HPKE-0-KE (control for the cases below)', async () => {
      expect(await open(await withHeaderAlg('HPKE-0-KE'))).toMatchObject(claims);
    });

    it.each(['none', 'HPKE-9-KE', 'RSA-OAEP-256', 'ECDH-ES'])('a decryptable JWE whose protected header says alg %p', async (alg) => {
      const opened = open(await withHeaderAlg(alg));
      await expectFailure(opened, 'invalid_encryption');
      await expect(opened).rejects.toThrow(/not an HPKE algorithm/);
    });

    it('compression (zip) and critical extensions (crit)', async () => {
      for (const header of [{ zip: 'DEF' }, { crit: ['exp'], exp: 1 }]) {
        const jwe = (await encryptJwe(Buffer.from('x'), firstKey(), { header })) as string;
        await expectFailure(open(jwe), 'invalid_encryption');
      }
    });

    it('a malformed JWE', async () => {
      await expectFailure(open('a.b.c.d'), 'invalid_encryption');
      await expectFailure(open({ protected: '!!!', ciphertext: 'x' }), 'invalid_encryption');
    });

    it(`a ciphertext over ${maxClientPayloadBytes} bytes`, async () => {
      const jwe = await encryptJwe(randomBytes(maxClientPayloadBytes + 1), firstKey());
      await expectFailure(open(jwe), 'invalid_encryption');
    });
  });

  describe('refuses as invalid_client_authentication', () => {
    it('a JWS signed by another key', async () => {
      const other = await generateWalletSigningKey('ES256');
      const { jwe } = await createClientEncryptedPayload({ key: other, issuerKey: firstKey(), claims, binding });
      await expectFailure(open(jwe), 'invalid_client_authentication');
    });

    it('an unsigned JWT (JWS alg "none")', async () => {
      const unsigned = new UnsecuredJWT({ ...claims, aud: await encryptionKeyAudience(firstKey()) }).encode();
      const jwe = await encryptJwe(Buffer.from(unsigned), firstKey());
      await expectFailure(open(jwe), 'invalid_client_authentication');
    });

    it('a wrong aud', async () => {
      const { jwe } = await createClientEncryptedPayload({ key: wsk, issuerKey: firstKey(), claims, binding, aud: 'not-the-thumbprint' });
      await expectFailure(open(jwe), 'invalid_client_authentication');
    });

    it('the aud of the other issuer key than the one it was encrypted to', async () => {
      const { jwe } = await createClientEncryptedPayload({
        key: wsk,
        issuerKey: firstKey(),
        claims,
        binding,
        aud: await encryptionKeyAudience(published[1] as HpkeJwk),
      });
      await expectFailure(open(jwe), 'invalid_client_authentication');
    });

    it('a plaintext that is not a JWS', async () => {
      const jwe = await encryptJwe(Buffer.from(JSON.stringify(claims)), firstKey());
      await expectFailure(open(jwe), 'invalid_client_authentication');
    });
  });
});
