import { randomUUID, webcrypto } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { importWalletSigningKey, publicWalletSigningJwk, UnusableKeyError } from '../../crypto/public-jwk';
import { verifyVerificationNonce } from '../../crypto/verification-nonce';
import { generateWalletSigningKey, signVerificationNonce } from '../../wallet/wallet-client-instance';

describe('verificationNonce (S2S §Replay Protection, profile §Verification nonce)', () => {
  it.each(['ES256', 'EdDSA'] as const)('accepts a %s signature over the sessionId', async (alg) => {
    const key = await generateWalletSigningKey(alg);
    const sessionId = randomUUID();
    const nonce = await signVerificationNonce(sessionId, key);
    expect(await verifyVerificationNonce(sessionId, nonce, await importWalletSigningKey(key.publicJwk))).toEqual({ valid: true });
  });

  it('accepts an ES384 signature produced independently with WebCrypto', async () => {
    const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const jwk = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
    const sessionId = randomUUID();
    const signature = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-384' }, pair.privateKey, Buffer.from(sessionId));
    const key = await importWalletSigningKey({ kty: 'EC', crv: 'P-384', x: jwk.x, y: jwk.y, alg: 'ES384' });
    expect(await verifyVerificationNonce(sessionId, Buffer.from(signature).toString('base64url'), key)).toEqual({ valid: true });
  });

  it('refuses a signature by another key', async () => {
    const signer = await generateWalletSigningKey();
    const claimed = await generateWalletSigningKey();
    const sessionId = randomUUID();
    const check = await verifyVerificationNonce(sessionId, await signVerificationNonce(sessionId, signer), await importWalletSigningKey(claimed.publicJwk));
    expect(check).toEqual({ valid: false, reason: expect.stringContaining('not a signature over sessionId') });
  });

  it('refuses a signature over another sessionId', async () => {
    const key = await generateWalletSigningKey();
    const nonce = await signVerificationNonce(randomUUID(), key);
    expect((await verifyVerificationNonce(randomUUID(), nonce, await importWalletSigningKey(key.publicJwk))).valid).toBe(false);
  });

  it('treats the sessionId as exact bytes: a case variant does not verify', async () => {
    const key = await generateWalletSigningKey();
    const sessionId = randomUUID();
    const nonce = await signVerificationNonce(sessionId, key);
    expect((await verifyVerificationNonce(sessionId.toUpperCase(), nonce, await importWalletSigningKey(key.publicJwk))).valid).toBe(false);
  });

  it.each([
    ['padded base64url', (n: string) => `${n}==`, 'not base64url'],
    ['standard base64 characters', (n: string) => n.replace(/-/g, '+').replace(/_/g, '/') + '+/', 'not base64url'],
    ['a JWS-like value with dots', (n: string) => `eyJhbGciOiJFUzI1NiJ9.${n}`, 'not base64url'],
    [
      'a DER-encoded length (too long)',
      (n: string) => Buffer.concat([Buffer.from([0x30, 0x44, 0x02, 0x20]), Buffer.from(n, 'base64url')]).toString('base64url'),
      '64-byte',
    ],
    ['a truncated signature', (n: string) => n.slice(0, 40), '64-byte'],
  ])('refuses %s', async (_label, mangle, reason) => {
    const key = await generateWalletSigningKey();
    const sessionId = randomUUID();
    const nonce = mangle(await signVerificationNonce(sessionId, key));
    const check = await verifyVerificationNonce(sessionId, nonce, await importWalletSigningKey(key.publicJwk));
    expect(check).toEqual({ valid: false, reason: expect.stringContaining(reason) });
  });
});

describe('importWalletSigningKey', () => {
  it('refuses a JWK carrying private key material', async () => {
    const key = await generateWalletSigningKey();
    await expect(importWalletSigningKey({ ...key.publicJwk, d: 'AAAA' })).rejects.toThrow(UnusableKeyError);
  });

  it('refuses algorithms outside the accepted set', async () => {
    const key = await generateWalletSigningKey();
    await expect(importWalletSigningKey({ ...key.publicJwk, alg: 'HS256' })).rejects.toMatchObject({ member: 'alg' });
    await expect(importWalletSigningKey({ ...key.publicJwk, alg: 'none' })).rejects.toMatchObject({ member: 'alg' });
  });

  it('refuses a key whose curve does not match its alg', async () => {
    const key = await generateWalletSigningKey();
    await expect(importWalletSigningKey({ ...key.publicJwk, alg: 'ES384' })).rejects.toMatchObject({ member: 'crv' });
  });

  it('refuses coordinates that are not on the curve', async () => {
    const key = await generateWalletSigningKey();
    await expect(importWalletSigningKey({ ...key.publicJwk, y: key.publicJwk.x })).rejects.toMatchObject({ member: 'x' });
  });
});

describe('publicWalletSigningJwk (profile §5)', () => {
  it.each(['ES256', 'EdDSA'] as const)('keeps only the public key, alg and kid of a %s key', async (alg) => {
    const key = await generateWalletSigningKey(alg);
    const sent = { ...key.publicJwk, use: 'sig', key_ops: ['verify'], x5c: ['MIIB'], 'urn:example:note': 'x'.repeat(100) };
    const kept = publicWalletSigningJwk(sent);
    expect(kept).toEqual(key.publicJwk);
    expect(Object.keys(kept).sort()).toEqual(Object.keys(key.publicJwk).sort());
    expect(await calculateJwkThumbprint(kept as JWK)).toBe(await calculateJwkThumbprint(key.publicJwk as JWK));
  });
});
