import { createCipheriv, createDecipheriv, randomBytes, type webcrypto } from 'node:crypto';
import { Aes128Gcm, Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { decryptJwe, encryptJwe, publicHpkeJwk, type HpkeJwk } from '../../../crypto/jwe-hpke';
import { generateHpkeJwk } from '../../../crypto/issuer-keys';

/**
 * Interoperability with an independent HPKE implementation (@hpke/core) and a JWE framing written
 * here from the draft, separately from crypto/jwe-hpke.ts.
 */
const b64 = (b: Uint8Array | ArrayBuffer) => Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString('base64url');
const ub64 = (s: string) => Buffer.from(s, 'base64url');

function independentSuite(alg: string) {
  const x25519 = alg.startsWith('HPKE-3');
  return new CipherSuite({
    kem: x25519 ? new DhkemX25519HkdfSha256() : new DhkemP256HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: alg.startsWith('HPKE-7') ? new Aes256Gcm() : new Aes128Gcm(),
  });
}

const rcpt = (enc: string) => Buffer.concat([Buffer.from('JOSE-HPKE rcpt'), Buffer.from([0xff]), Buffer.from(enc), Buffer.from([0xff])]);

async function independentDecryptCompact(jwe: string, jwk: HpkeJwk & { d: string }): Promise<string> {
  const [p, encryptedKey, iv, ct, tag] = jwe.split('.') as [string, string, string, string, string];
  const header = JSON.parse(ub64(p).toString()) as { alg: string; enc?: string; ek?: string };
  const suite = independentSuite(header.alg);
  const { kty, crv, x, y, d } = jwk;
  const recipientKey = await suite.kem.importKey('jwk', { kty, crv, x, ...(y ? { y } : {}), d } as webcrypto.JsonWebKey, false);
  if (header.alg.endsWith('-KE')) {
    const cek = new Uint8Array(await suite.open({ recipientKey, enc: ub64(header.ek ?? ''), info: rcpt(header.enc ?? '') }, ub64(encryptedKey)));
    const decipher = createDecipheriv(`aes-${cek.length * 8}-gcm` as 'aes-256-gcm', cek, ub64(iv));
    decipher.setAAD(Buffer.from(p, 'ascii'));
    decipher.setAuthTag(ub64(tag));
    return Buffer.concat([decipher.update(ub64(ct)), decipher.final()]).toString();
  }
  return Buffer.from(await suite.open({ recipientKey, enc: ub64(encryptedKey) }, ub64(ct), Buffer.from(p, 'ascii'))).toString();
}

async function independentEncryptCompact(plaintext: string, jwk: HpkeJwk, alg: string): Promise<string> {
  const suite = independentSuite(alg);
  const recipientPublicKey = await suite.kem.importKey('jwk', publicHpkeJwk(jwk) as webcrypto.JsonWebKey, true);
  if (alg.endsWith('-KE')) {
    const cek = randomBytes(32);
    const sealed = await suite.seal({ recipientPublicKey, info: rcpt('A256GCM') }, cek);
    const p = b64(Buffer.from(JSON.stringify({ alg, enc: 'A256GCM', kid: jwk.kid, ek: b64(sealed.enc) })));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', cek, iv);
    cipher.setAAD(Buffer.from(p, 'ascii'));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [p, b64(sealed.ct), b64(iv), b64(ct), b64(cipher.getAuthTag())].join('.');
  }
  const p = b64(Buffer.from(JSON.stringify({ alg, kid: jwk.kid })));
  const sealed = await suite.seal({ recipientPublicKey }, Buffer.from(plaintext), Buffer.from(p, 'ascii'));
  return [p, b64(sealed.enc), '', b64(sealed.ct), ''].join('.');
}

const algorithms = ['HPKE-0-KE', 'HPKE-0', 'HPKE-3-KE', 'HPKE-3', 'HPKE-7-KE'];

describe('JWE-HPKE interoperability with @hpke/core', () => {
  it.each(algorithms)('%s: what we encrypt, the independent implementation decrypts', async (alg) => {
    const jwk = await generateHpkeJwk(alg);
    const jwe = (await encryptJwe(Buffer.from('verification data ✓'), publicHpkeJwk(jwk), { alg })) as string;
    expect(await independentDecryptCompact(jwe, jwk)).toBe('verification data ✓');
  });

  it.each(algorithms)('%s: what the independent implementation encrypts, we decrypt', async (alg) => {
    const jwk = await generateHpkeJwk(alg);
    const jwe = await independentEncryptCompact('selfie reference 42', jwk, alg);
    const { plaintext, key } = await decryptJwe(jwe, [{ jwk: await generateHpkeJwk(alg) }, { jwk }]);
    expect(Buffer.from(plaintext).toString()).toBe('selfie reference 42');
    expect(key.jwk.kid).toBe(jwk.kid);
  });
});

describe('JWE-HPKE serializations', () => {
  it.each(['flattened', 'general'] as const)('round-trips the %s JSON serialization with JWE AAD', async (serialization) => {
    const jwk = await generateHpkeJwk('HPKE-0-KE');
    const jwe = await encryptJwe(Buffer.from('x'), publicHpkeJwk(jwk), { serialization, aad: Buffer.from('context') });
    expect(typeof jwe).toBe('object');
    expect(Buffer.from((await decryptJwe(jwe as Record<string, unknown>, [{ jwk }])).plaintext).toString()).toBe('x');
  });

  it('defaults to HPKE-0-KE with A256GCM, naming the key by kid', async () => {
    const jwk = await generateHpkeJwk('HPKE-0-KE');
    const jwe = (await encryptJwe(Buffer.from('x'), publicHpkeJwk(jwk))) as string;
    const header = JSON.parse(ub64(jwe.split('.')[0] ?? '').toString()) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: 'HPKE-0-KE', enc: 'A256GCM', kid: jwk.kid, ek: expect.any(String) });
  });

  it("accepts the Integrated Encryption algorithm of a Key Encryption key's own suite", async () => {
    const jwk = await generateHpkeJwk('HPKE-0-KE');
    const jwe = (await encryptJwe(Buffer.from('x'), publicHpkeJwk(jwk), { alg: 'HPKE-0' })) as string;
    expect(Buffer.from((await decryptJwe(jwe, [{ jwk }])).plaintext).toString()).toBe('x');
  });
});
