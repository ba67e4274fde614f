import 'reflect-metadata';
import { createPrivateKey, verify, webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { compactVerify } from 'jose';
import { createSoftwareSigner } from '../../../crypto/credential-signer';
import {
  checkSignersForFormats,
  loadCredentialSigningKeys,
  parseCredentialSigningKeys,
  type CredentialSigningKeyFile,
} from '../../../crypto/credential-signing-keys';
import { ensureDevMaterial } from '../../../dev/dev-material';
import { createCredentialSigningMaterial, createMdocIssuerPki, issueMdocDocumentSigner, loadCertificateAuthority } from '../../../dev/dev-pki';
import { verifyX5cChain } from '../../support/credential-signing';

const data = Buffer.from('eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0', 'ascii');

/** A self-signed certificate for a key of another algorithm than the development P-256 one. */
async function selfSigned(algorithm: { name: string; namedCurve?: string }, hash: string | undefined) {
  const keys = (await webcrypto.subtle.generateKey(algorithm as webcrypto.EcKeyGenParams, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=test signer',
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    signingAlgorithm: hash ? { name: algorithm.name, hash } : { name: algorithm.name },
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
  });
  const { kty, crv, x, y, d } = await webcrypto.subtle.exportKey('jwk', keys.privateKey);
  return { privateJwk: { kty, crv, x, ...(y ? { y } : {}), d }, certificateChain: [Buffer.from(certificate.rawData).toString('base64')] };
}

describe('software credential signer', () => {
  it('signs ES256 as a 64-byte r||s that the leaf certificate’s key verifies, in a JWS that jose verifies', async () => {
    const material = await createCredentialSigningMaterial();
    const signer = createSoftwareSigner({ privateJwk: material.privateJwk, alg: 'ES256', certificateChain: material.certificateChain });
    const signature = await signer.sign(data);
    expect(signature).toHaveLength(64);
    const leafKey = verifyX5cChain(signer.certificateChain, new X509Certificate(Buffer.from(material.certificateChain[1] as string, 'base64')));
    expect(verify('sha256', data, { key: leafKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    expect(verify('sha256', Buffer.from('other'), { key: leafKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(false);
    await expect(compactVerify(`${data.toString('ascii')}.${Buffer.from(signature).toString('base64url')}`, leafKey)).resolves.toBeDefined();
  });

  it.each([
    ['ES384', { name: 'ECDSA', namedCurve: 'P-384' }, 'SHA-384', 96],
    ['EdDSA', { name: 'Ed25519' }, undefined, 64],
  ])('signs %s verifiably too', async (alg, algorithm, hash, bytes) => {
    const { privateJwk, certificateChain } = await selfSigned(algorithm, hash);
    const signer = createSoftwareSigner({ privateJwk, alg, certificateChain });
    const signingInput = `${Buffer.from(JSON.stringify({ alg })).toString('base64url')}.${Buffer.from('{}').toString('base64url')}`;
    const signature = await signer.sign(Buffer.from(signingInput, 'ascii'));
    expect(signature).toHaveLength(bytes);
    const key = new X509Certificate(Buffer.from(certificateChain[0] as string, 'base64')).publicKey;
    await expect(compactVerify(`${signingInput}.${Buffer.from(signature).toString('base64url')}`, key, { algorithms: [alg] })).resolves.toBeDefined();
  });

  it('carries the chain without the self-signed root in x5c and exposes no private key', async () => {
    const material = await createCredentialSigningMaterial();
    const signer = createSoftwareSigner({ privateJwk: material.privateJwk, alg: 'ES256', certificateChain: material.certificateChain, keyId: 'k1' });
    expect(signer.certificateChain).toEqual([material.certificateChain[0]]);
    expect(signer.keyId).toBe('k1');
    expect(Object.keys(signer).sort()).toEqual(['alg', 'certificateChain', 'keyId', 'sign']);
    expect(JSON.stringify(signer)).not.toContain(material.privateJwk.d);
    expect(Object.isFrozen(signer)).toBe(true);
  });

  it('refuses an unsupported algorithm, a key of another curve, a public key, and a certificate for another key', async () => {
    const material = await createCredentialSigningMaterial();
    const other = await createCredentialSigningMaterial();
    const chain = material.certificateChain;
    expect(() => createSoftwareSigner({ privateJwk: material.privateJwk, alg: 'RS256', certificateChain: chain })).toThrow('RS256 is not supported');
    expect(() => createSoftwareSigner({ privateJwk: material.privateJwk, alg: 'none', certificateChain: chain })).toThrow('not supported');
    expect(() => createSoftwareSigner({ privateJwk: material.privateJwk, alg: 'ES384', certificateChain: chain })).toThrow('crv P-384');
    const publicOnly = { ...material.privateJwk, d: undefined };
    expect(() => createSoftwareSigner({ privateJwk: publicOnly, alg: 'ES256', certificateChain: chain })).toThrow('no private part');
    expect(() => createSoftwareSigner({ privateJwk: material.privateJwk, alg: 'ES256', certificateChain: other.certificateChain })).toThrow(
      'does not certify the signing key',
    );
    expect(() => createSoftwareSigner({ privateJwk: material.privateJwk, alg: 'ES256', certificateChain: [] })).toThrow('certificate chain');
  });
});

describe('credential signing keys file', () => {
  async function rotated(): Promise<CredentialSigningKeyFile> {
    const first = await createCredentialSigningMaterial();
    const second = await createCredentialSigningMaterial({ ca: first.ca });
    return {
      active: 'signer-2',
      keys: [
        {
          id: 'signer-1',
          alg: 'ES256',
          privateJwk: first.privateJwk,
          certificateChain: first.certificateChain,
          notAfter: new Date(Date.now() - 1000).toISOString(),
        },
        { id: 'signer-2', alg: 'ES256', privateJwk: second.privateJwk, certificateChain: second.certificateChain },
      ],
    };
  }

  it('signs new credentials with the active key and keeps the retired one published for verification', async () => {
    const file = await rotated();
    const keys = parseCredentialSigningKeys(file, 'test');
    expect(keys.activeId).toBe('signer-2');
    expect(keys.active.keyId).toBe('signer-2');
    const signature = await keys.active.sign(data);
    const activeLeaf = new X509Certificate(Buffer.from(file.keys[1]?.certificateChain[0] as string, 'base64'));
    expect(verify('sha256', data, { key: activeLeaf.publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    expect(keys.published.map((k) => [k.id, k.active])).toEqual([
      ['signer-1', false],
      ['signer-2', true],
    ]);
    expect(keys.published[0]?.certificateChain).toEqual(file.keys[0]?.certificateChain);
    expect(JSON.stringify(keys)).not.toContain(file.keys[0]?.privateJwk?.d);
    expect(JSON.stringify(keys)).not.toContain(file.keys[1]?.privateJwk?.d);
  });

  it('loads a retired key whose private part was removed, for publication only, but not an active key without one', async () => {
    const file = await rotated();
    const retiredWithoutKey = { ...file, keys: [{ ...file.keys[0]!, privateJwk: undefined }, file.keys[1]!] };
    expect(parseCredentialSigningKeys(retiredWithoutKey, 'f').published.map((k) => k.id)).toEqual(['signer-1', 'signer-2']);
    const activeWithoutKey = { ...file, keys: [file.keys[0]!, { ...file.keys[1]!, privateJwk: undefined }] };
    expect(() => parseCredentialSigningKeys(activeWithoutKey, 'f')).toThrow('active credential signing key signer-2 has no privateJwk');
  });

  it('refuses an active id not in the file, duplicate ids, and an active key past its notAfter', async () => {
    const file = await rotated();
    expect(() => parseCredentialSigningKeys({ ...file, active: 'signer-3' }, 'f')).toThrow('active credential signing key signer-3 is not in keys');
    expect(() => parseCredentialSigningKeys({ ...file, keys: [file.keys[1]!, file.keys[1]!] }, 'f')).toThrow('unique');
    expect(() => parseCredentialSigningKeys({ ...file, active: 'signer-1' }, 'f')).toThrow('outside its validity');
    expect(() => parseCredentialSigningKeys(file, 'f', new Date(Date.now() + 400 * 86_400_000))).toThrow('outside its validity');
    expect(() => parseCredentialSigningKeys({ ...file, keys: [{ ...file.keys[1]!, alg: 'HS256' }] }, 'f')).toThrow(
      'signer-2: credential signing algorithm HS256',
    );
  });

  /** The rotated JOSE keys plus an mdoc document signer under an IACA, active for mso_mdoc. */
  async function withDocumentSigner(options: { days?: number } = {}): Promise<{ file: CredentialSigningKeyFile; iaca: X509Certificate }> {
    const file = await rotated();
    const { iaca } = await createMdocIssuerPki();
    const documentSigner = await issueMdocDocumentSigner(iaca, options);
    const der = (pem: string) => new X509Certificate(pem).raw.toString('base64');
    const { kty, crv, x, y, d } = createPrivateKey(documentSigner.privateKeyPem).export({ format: 'jwk' });
    return {
      file: {
        ...file,
        activeByFormat: { mso_mdoc: 'mdoc-ds-1' },
        keys: [
          ...file.keys,
          {
            id: 'mdoc-ds-1',
            alg: 'ES256',
            privateJwk: { kty, crv, x, y, d },
            certificateChain: [der(documentSigner.certificatePem), der(iaca.certificatePem)],
          },
        ],
      },
      iaca: new X509Certificate(iaca.certificatePem),
    };
  }

  it('signs each format with its activeByFormat key and falls back to active for the others', async () => {
    const { file, iaca } = await withDocumentSigner();
    const keys = parseCredentialSigningKeys(file, 'f');
    expect(keys.activeIdByFormat).toEqual({ mso_mdoc: 'mdoc-ds-1' });
    expect(keys.signerFor('mso_mdoc').keyId).toBe('mdoc-ds-1');
    expect(keys.signerFor('dc+sd-jwt').keyId).toBe('signer-2');
    expect(keys.signerFor('jwt_vc_json').keyId).toBe('signer-2');
    expect(keys.active.keyId).toBe('signer-2');
    // The mdoc signer's x5chain is the document signer alone: the IACA is the verifier's trust anchor.
    const mdocChain = keys.signerFor('mso_mdoc').certificateChain ?? [];
    expect(mdocChain).toEqual([file.keys[2]?.certificateChain[0]]);
    const dsKey = verifyX5cChain(mdocChain, iaca);
    expect(verify('sha256', data, { key: dsKey, dsaEncoding: 'ieee-p1363' }, await keys.signerFor('mso_mdoc').sign(data))).toBe(true);
    expect(keys.published.map((k) => [k.id, k.active])).toEqual([
      ['signer-1', false],
      ['signer-2', true],
      ['mdoc-ds-1', true],
    ]);
    // Without activeByFormat, every format signs with `active`, as before.
    expect(parseCredentialSigningKeys({ active: file.active, keys: file.keys }, 'f').signerFor('mso_mdoc').keyId).toBe('signer-2');
  });

  it('refuses an activeByFormat key that is missing, has no private key, is outside its validity, is no document signer, or names an unknown format', async () => {
    const { file } = await withDocumentSigner();
    expect(() => parseCredentialSigningKeys({ ...file, activeByFormat: { mso_mdoc: 'mdoc-ds-9' } }, 'f')).toThrow(
      'f: the mso_mdoc active credential signing key mdoc-ds-9 is not in keys',
    );
    const withoutPrivateKey = { ...file, keys: file.keys.map((k) => (k.id === 'mdoc-ds-1' ? { ...k, privateJwk: undefined } : k)) };
    expect(() => parseCredentialSigningKeys(withoutPrivateKey, 'f')).toThrow('the mso_mdoc active credential signing key mdoc-ds-1 has no privateJwk');
    const retired = { ...file, keys: file.keys.map((k) => (k.id === 'mdoc-ds-1' ? { ...k, notAfter: new Date(Date.now() - 1000).toISOString() } : k)) };
    expect(() => parseCredentialSigningKeys(retired, 'f')).toThrow('the mso_mdoc active credential signing key mdoc-ds-1 is outside its validity');
    // 30 days of certificate, checked 40 days on (the JOSE keys, 365 days, are still valid then).
    const { file: shortLived } = await withDocumentSigner({ days: 30 });
    expect(() => parseCredentialSigningKeys(shortLived, 'f', new Date(Date.now() + 40 * 86_400_000))).toThrow('mdoc-ds-1 is outside its validity');
    expect(() => parseCredentialSigningKeys({ ...file, activeByFormat: { mso_mdoc: 'signer-2' } }, 'f')).toThrow(
      'activeByFormat.mso_mdoc names key signer-2, but an mso_mdoc credential is signed by an mdoc document signer',
    );
    expect(() => parseCredentialSigningKeys({ ...file, activeByFormat: { 'mso-mdoc': 'mdoc-ds-1' } }, 'f')).toThrow(
      'activeByFormat names mso-mdoc, not a credential format of this issuer',
    );
  });

  it('refuses at start a catalogue with mdocs when no document signer signs them', async () => {
    const { file } = await withDocumentSigner();
    const withoutMdocKey = { active: file.active, keys: file.keys };
    const formats = ['dc+sd-jwt', 'mso_mdoc', 'jwt_vc_json'];
    expect(() => checkSignersForFormats(parseCredentialSigningKeys(withoutMdocKey, 'f'), formats, 'f')).toThrow(
      'f: credential signing key signer-2 signs mso_mdoc credentials, but an mso_mdoc credential is signed by an mdoc document signer',
    );
    expect(() => checkSignersForFormats(parseCredentialSigningKeys(withoutMdocKey, 'f'), ['dc+sd-jwt', 'jwt_vc_json'], 'f')).not.toThrow();
    expect(() => checkSignersForFormats(parseCredentialSigningKeys(file, 'f'), formats, 'f')).not.toThrow();
  });

  it('development material creates a 0600 signing-keys file with the mdoc document signer active for mso_mdoc, upgrades an older file, and rotates either key near its end keeping the old one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'signing-keys-'));
    try {
      const paths = await ensureDevMaterial(dir);
      expect(statSync(paths.signingKeys).mode & 0o777).toBe(0o600);
      expect(statSync(paths.credentialSigningCaKey).mode & 0o777).toBe(0o600);
      const loaded = loadCredentialSigningKeys(paths.signingKeys);
      const caPem = readFileSync(paths.credentialSigningCaCert, 'utf8');
      verifyX5cChain(loaded.active.certificateChain, new X509Certificate(caPem));
      // mso_mdoc signs with the document signer of pki/, chain [DS, IACA]; x5chain carries the DS only.
      const iaca = new X509Certificate(readFileSync(paths.mdocIacaCert));
      const documentSignerDer = new X509Certificate(readFileSync(paths.mdocSignerCert)).raw.toString('base64');
      expect(loaded.signerFor('mso_mdoc').certificateChain).toEqual([documentSignerDer]);
      verifyX5cChain(loaded.signerFor('mso_mdoc').certificateChain, iaca);
      expect(loaded.signerFor('dc+sd-jwt')).toBe(loaded.active);
      const initial = JSON.parse(readFileSync(paths.signingKeys, 'utf8')) as CredentialSigningKeyFile;
      expect(initial.keys.find((k) => k.id === initial.activeByFormat?.mso_mdoc)?.certificateChain).toEqual([documentSignerDer, iaca.raw.toString('base64')]);
      const before = readFileSync(paths.signingKeys, 'utf8');
      await ensureDevMaterial(dir);
      expect(readFileSync(paths.signingKeys, 'utf8')).toBe(before);

      // A file written before activeByFormat existed, its active certificate with 10 days left:
      // the key is renewed from the same CA (the old entry stays) and the document signer is added.
      const ca = await loadCertificateAuthority(caPem, readFileSync(paths.credentialSigningCaKey, 'utf8'));
      const ending = await createCredentialSigningMaterial({ ca, days: 10 });
      writeFileSync(paths.signingKeys, JSON.stringify({ active: 'ending', keys: [{ id: 'ending', alg: 'ES256', ...ending }] }));
      await ensureDevMaterial(dir);
      const file = JSON.parse(readFileSync(paths.signingKeys, 'utf8')) as CredentialSigningKeyFile;
      expect(file.keys.map((k) => k.id)[0]).toBe('ending');
      expect(file.keys).toHaveLength(3);
      expect(file.active).not.toBe('ending');
      const rotatedKeys = loadCredentialSigningKeys(paths.signingKeys);
      verifyX5cChain(rotatedKeys.active.certificateChain, new X509Certificate(caPem));
      expect(rotatedKeys.signerFor('mso_mdoc').certificateChain).toEqual([documentSignerDer]);

      // A document signer near its end is renewed from the IACA; the old entry stays listed, and a
      // later rotation of the JOSE key keeps activeByFormat.
      const iacaAuthority = await loadCertificateAuthority(readFileSync(paths.mdocIacaCert, 'utf8'), readFileSync(paths.mdocIacaKey, 'utf8'));
      const endingSigner = await issueMdocDocumentSigner(iacaAuthority, { days: 10 });
      const endingDer = new X509Certificate(endingSigner.certificatePem).raw.toString('base64');
      const { kty, crv, x, y, d } = createPrivateKey(endingSigner.privateKeyPem).export({ format: 'jwk' });
      writeFileSync(
        paths.signingKeys,
        JSON.stringify({
          ...file,
          activeByFormat: { mso_mdoc: 'ending-ds' },
          keys: [
            ...file.keys,
            { id: 'ending-ds', alg: 'ES256', privateJwk: { kty, crv, x, y, d }, certificateChain: [endingDer, iaca.raw.toString('base64')] },
          ],
        }),
      );
      writeFileSync(paths.mdocSignerCert, endingSigner.certificatePem);
      writeFileSync(paths.mdocSignerKey, endingSigner.privateKeyPem);
      await ensureDevMaterial(dir);
      const renewed = JSON.parse(readFileSync(paths.signingKeys, 'utf8')) as CredentialSigningKeyFile;
      expect(renewed.keys.map((k) => k.id)).toContain('ending-ds');
      expect(renewed.activeByFormat?.mso_mdoc).not.toBe('ending-ds');
      expect(renewed.active).toBe(file.active);
      const renewedKeys = loadCredentialSigningKeys(paths.signingKeys);
      const renewedChain = renewedKeys.signerFor('mso_mdoc').certificateChain ?? [];
      expect(renewedChain).not.toEqual([endingDer]);
      verifyX5cChain(renewedChain, iaca);
      expect(renewedChain).toEqual([new X509Certificate(readFileSync(paths.mdocSignerCert)).raw.toString('base64')]);
      expect(existsSync(paths.signingKeys)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
