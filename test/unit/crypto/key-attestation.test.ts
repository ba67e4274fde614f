import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JWK } from 'jose';
import { loadConfig } from '../../../config/config';
import {
  KeyAttestationRefused,
  loadKeyAttestationTrust,
  parseKeyAttestationTrust,
  untrustedAttestationIssuers,
  verifyKeyAttestation,
  type KeyAttestationCheck,
} from '../../../crypto/key-attestation';
import type { CredentialConfiguration } from '../../../domain/credential-configurations';
import { createKeyAttester, generatePresentmentKey, type KeyAttester } from '../../support/credential-wallet';

/** OpenID4VCI 1.0 Appendix D.1 key attestations and the trust file (profile §25): every check, one failing attestation each. */
const iss = 'https://wallet-provider.example';
let attester: KeyAttester;
let leafOnly: KeyAttester;
let jwkAttester: KeyAttester;
let impostor: KeyAttester;
let provenKey: JWK;
let otherKey: JWK;
beforeAll(async () => {
  attester = await createKeyAttester({ iss });
  leafOnly = await createKeyAttester({ iss, leafOnly: true });
  jwkAttester = await createKeyAttester({ iss: 'https://jwk-provider.example', mode: 'jwk' });
  // Same iss, but its own CA, which the trust file does not list.
  impostor = await createKeyAttester({ iss });
  const publicOf = async () => {
    const { kty, crv, x, y } = (await generatePresentmentKey()).publicJwk;
    return { kty, crv, x, y } as JWK;
  };
  provenKey = await publicOf();
  otherKey = await publicOf();
});

function check(overrides: Partial<KeyAttestationCheck> = {}): KeyAttestationCheck {
  return {
    trust: parseKeyAttestationTrust(
      { issuers: [{ iss, certificates: [...(attester.trustEntry.certificates ?? []), ...(leafOnly.trustEntry.certificates ?? [])] }, jwkAttester.trustEntry] },
      'test',
    ),
    policy: { required: true, keyStorage: ['iso_18045_high'], userAuthentication: ['iso_18045_high'], trustedIssuers: [iss, jwkAttester.iss] },
    algorithms: ['ES256'],
    provenKey,
    nonce: 'c-nonce-1',
    now: Date.now(),
    iatWindowMs: 300_000,
    ...overrides,
  };
}

const attest = (by: KeyAttester, options: { claims?: Record<string, unknown>; header?: Record<string, unknown>; nonce?: string } = {}) =>
  by.attest({ keys: [otherKey, provenKey], nonce: 'c-nonce-1', ...options });

async function refusal(jwt: unknown, options: Partial<KeyAttestationCheck> = {}): Promise<string> {
  try {
    await verifyKeyAttestation(jwt, check(options));
  } catch (error) {
    if (error instanceof KeyAttestationRefused) return error.message;
    throw error;
  }
  throw new Error('the key attestation was accepted');
}

const now = () => Math.floor(Date.now() / 1000);

describe('verifyKeyAttestation accepts', () => {
  it('an attestation whose x5c chain (leaf, CA) ends at a trust anchor of its iss, returning its levels', async () => {
    await expect(verifyKeyAttestation(await attest(attester), check())).resolves.toEqual({
      iss,
      keyStorage: ['iso_18045_high'],
      userAuthentication: ['iso_18045_high'],
    });
  });

  it('an x5c of the leaf alone, issued by a trust anchor', async () => {
    await expect(verifyKeyAttestation(await attest(leafOnly), check())).resolves.toMatchObject({ iss });
  });

  it('an attestation signed by a key the trust file lists for its iss (by kid, or by alg without kid)', async () => {
    await expect(verifyKeyAttestation(await attest(jwkAttester), check())).resolves.toMatchObject({ iss: jwkAttester.iss });
    await expect(verifyKeyAttestation(await attest(jwkAttester, { header: { kid: undefined } }), check())).resolves.toMatchObject({ iss: jwkAttester.iss });
  });

  it('an attestation without nonce, and one without levels when the policy names none', async () => {
    await expect(verifyKeyAttestation(await attester.attest({ keys: [provenKey] }), check())).resolves.toBeDefined();
    const bare = await attest(attester, { claims: { key_storage: undefined, user_authentication: undefined } });
    await expect(verifyKeyAttestation(bare, check({ policy: { required: true, trustedIssuers: [iss] } }))).resolves.toEqual({ iss });
  });
});

describe('verifyKeyAttestation refuses an attestation that', () => {
  it('is not a string', async () => {
    expect(await refusal({ jwt: 'x' })).toBe('the key attestation must be a JWT in compact serialization');
  });

  it('is not a JWT', async () => {
    expect(await refusal('not.a.jwt')).toBe('the key attestation is not a JWT');
  });

  it('is not typed key-attestation+jwt', async () => {
    expect(await refusal(await attest(attester, { header: { typ: 'JWT' } }))).toBe('typ must be key-attestation+jwt');
  });

  it('uses an algorithm the configuration does not accept for proofs', async () => {
    expect(await refusal(await attest(attester), { algorithms: ['EdDSA'] })).toBe('alg ES256 is not accepted');
  });

  it('comes from an iss the configuration does not trust', async () => {
    expect(await refusal(await attest(attester), { policy: { required: true, trustedIssuers: [jwkAttester.iss] } })).toBe(
      'iss is not a trusted attestation issuer',
    );
  });

  it('comes from an iss the configuration trusts but the trust file does not list', async () => {
    expect(await refusal(await attest(attester), { trust: parseKeyAttestationTrust({ issuers: [jwkAttester.trustEntry] }, 'test') })).toBe(
      'iss has no keys in the key attestation trust file',
    );
  });

  it('has an x5c that chains to another CA than the trust anchors of its iss', async () => {
    expect(await refusal(await attest(impostor))).toBe('x5c does not chain to a trust anchor of the attestation issuer');
  });

  it('has an x5c whose certificates are out of order (the CA first)', async () => {
    const [leaf, ca] = (JSON.parse(Buffer.from((await attest(attester)).split('.')[0] as string, 'base64url').toString()) as { x5c: string[] }).x5c;
    expect(await refusal(await attest(attester, { header: { x5c: [ca, leaf] } }))).toBe('x5c[0] is not issued and signed by x5c[1] (a CA)');
  });

  it('has an x5c certificate that is no longer valid', async () => {
    const later = Date.now() + 400 * 24 * 3600 * 1000;
    expect(await refusal(await attest(attester, { claims: { iat: Math.floor(later / 1000), exp: Math.floor(later / 1000) + 60 } }), { now: later })).toBe(
      'x5c[0] is not valid now',
    );
  });

  it('has an x5c that is not a list of certificates', async () => {
    expect(await refusal(await attest(attester, { header: { x5c: 'MIIB' } }))).toBe('x5c must be an array of 1 to 5 certificates');
    expect(await refusal(await attest(attester, { header: { x5c: ['bm90IGEgY2VydGlmaWNhdGU'] } }))).toBe('x5c[0] is not a base64 DER certificate');
    expect(await refusal(await attest(attester, { header: { x5c: [{ der: 'MIIB' }] } }))).toBe('x5c[0] is not a base64 DER certificate');
  });

  it('names a kid the trust file does not list for its iss', async () => {
    expect(await refusal(await attest(jwkAttester, { header: { kid: 'unknown' } }))).toBe(
      'no key of the attestation issuer matches the header (x5c, or kid and alg)',
    );
  });

  it('has a signature that does not verify (payload changed after signing)', async () => {
    const [header, payload, signature] = (await attest(attester)).split('.') as [string, string, string];
    const changed = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), key_storage: ['iso_18045_high', 'extra'] };
    expect(await refusal(`${header}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature}`)).toBe(
      'the signature does not verify with a key of the attestation issuer',
    );
  });

  it('has no iat', async () => {
    expect(await refusal(await attest(attester, { claims: { iat: undefined } }))).toBe('iat is required');
  });

  it('was issued in the future beyond the window (iat)', async () => {
    expect(await refusal(await attest(attester, { claims: { iat: now() + 301 } }))).toBe('iat is in the future');
  });

  it('has no exp (required with the jwt proof type)', async () => {
    expect(await refusal(await attest(attester, { claims: { exp: undefined } }))).toBe('exp is required with the jwt proof type');
  });

  it('has expired', async () => {
    expect(await refusal(await attest(attester, { claims: { exp: now() - 1 } }))).toBe('the key attestation has expired (exp)');
  });

  it('carries another nonce than the c_nonce', async () => {
    expect(await refusal(await attest(attester, { nonce: 'another' }))).toBe('nonce is not the c_nonce of this request');
  });

  it('has no attested_keys', async () => {
    expect(await refusal(await attest(attester, { claims: { attested_keys: [] } }))).toBe('attested_keys must be a non-empty array of JWKs');
  });

  it('does not attest the key of the proof', async () => {
    expect(await refusal(await attest(attester, { claims: { attested_keys: [otherKey, 'junk'] } }))).toBe(
      'attested_keys does not contain the key of the proof',
    );
  });

  it('asserts a key storage level the policy does not accept, or none', async () => {
    expect(await refusal(await attest(attester, { claims: { key_storage: ['iso_18045_moderate'] } }))).toBe('key_storage holds none of iso_18045_high');
    expect(await refusal(await attest(attester, { claims: { key_storage: undefined } }))).toBe('key_storage holds none of iso_18045_high');
  });

  it('asserts a user authentication level the policy does not accept', async () => {
    expect(await refusal(await attest(attester, { claims: { user_authentication: ['iso_18045_basic'] } }))).toBe(
      'user_authentication holds none of iso_18045_high',
    );
  });
});

describe('the key attestation trust file', () => {
  it('is read from S2S_KEY_ATTESTATION_TRUST_FILE, and trusts no one when unset', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'trust-')), 'trust.json');
    writeFileSync(file, JSON.stringify({ issuers: [attester.trustEntry, jwkAttester.trustEntry] }));
    expect([...loadKeyAttestationTrust(loadConfig({ S2S_KEY_ATTESTATION_TRUST_FILE: file }).verification).issuers.keys()]).toEqual([iss, jwkAttester.iss]);
    expect(loadKeyAttestationTrust(loadConfig({}).verification).issuers.size).toBe(0);
  });

  it('refuses a file that is not JSON', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'trust-')), 'trust.json');
    writeFileSync(file, '{ issuers: ');
    expect(() => loadKeyAttestationTrust({ keyAttestationTrustFile: file })).toThrow(/not readable JSON/);
  });

  it.each([
    ['an unknown member', { issuers: [{ iss, certificates: ['MIIB'], extra: 1 }] }, /not a valid key attestation trust file/],
    [
      'an issuer twice',
      {
        issuers: [
          { iss, jwks: [{ kty: 'EC', alg: 'ES256' }] },
          { iss, jwks: [{ kty: 'EC', alg: 'ES256' }] },
        ],
      },
      /listed twice/,
    ],
    ['an issuer without certificates or jwks', { issuers: [{ iss }] }, /needs certificates or jwks/],
    ['a certificate that is not DER', { issuers: [{ iss, certificates: ['bm90IGEgY2VydGlmaWNhdGU'] }] }, /certificates\[0\] is not a base64 DER certificate/],
    ['a private JWK', { issuers: [{ iss, jwks: [{ kty: 'EC', alg: 'ES256', d: 'AAAA' }] }] }, /jwks\[0\] has the private member d/],
    ['a JWK without alg', { issuers: [{ iss, jwks: [{ kty: 'EC' }] }] }, /not a valid key attestation trust file/],
  ])('refuses a file with %s', (_name, file, expected) => {
    expect(() => parseKeyAttestationTrust(file, 'trust.json')).toThrow(expected);
  });

  it('names the trusted issuers of configurations requiring attestations that it does not list', () => {
    const trust = parseKeyAttestationTrust({ issuers: [attester.trustEntry] }, 'test');
    const configurations = [
      { keyAttestation: { required: true, trustedIssuers: [iss, 'https://missing.example'] } },
      { keyAttestation: { required: false, trustedIssuers: ['https://not-required.example'] } },
    ] as CredentialConfiguration[];
    expect(untrustedAttestationIssuers(configurations, trust)).toEqual(['https://missing.example']);
  });
});
