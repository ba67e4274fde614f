import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { compactVerify, decodeProtectedHeader } from 'jose';
import type { CredentialSigningKeyFile } from '../../crypto/credential-signing-keys';
import { loadIssuerKeyMaterial } from '../../crypto/key-material';
import { devMaterialPaths } from '../../dev/dev-material';
import { createCredentialSigningMaterial, loadCertificateAuthority } from '../../dev/dev-pki';
import { seedFakeHolders } from '../../dev/fake-holders';
import { credentialFlow } from '../support/credential-flow';
import { verifyX5cChain } from '../support/credential-signing';
import { openCredentials } from '../support/credential-wallet';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';

/**
 * Profile §26, signing keys: a rotation is an edit of the signing keys file (a new active key,
 * the old one kept) and a restart of the worker. Credentials issued after it carry the new
 * certificate; those issued before keep theirs and still verify, against the same trust anchor.
 */
const pid = 'eu.europa.ec.eudi.pid.1';
let h: IssuerHarness;
const flow = credentialFlow(() => h);

beforeAll(async () => {
  h = await startIssuerHarness();
  await seedFakeHolders(h.db, loadIssuerKeyMaterial(h.config).dataKeyring);
}, 120_000);
afterAll(async () => {
  await h?.close();
});

async function issuePid(): Promise<string> {
  const wallet = await flow.approvedWallet([pid]);
  const built = await flow.buildGet(wallet, await flow.instanceOf(wallet, pid));
  const answer = await flow.post('/credential/get', built.body);
  expect(answer.status).toBe(200);
  return (await openCredentials(answer.json.credentials, built.walletEncryption.privateJwk))[0] as string;
}

const issuerJwt = (sdJwt: string) => sdJwt.split('~')[0] as string;
const leafOf = (sdJwt: string) => (decodeProtectedHeader(issuerJwt(sdJwt)).x5c as string[])[0];

describe('credential signing key rotation (profile §26)', () => {
  it('signs new credentials with the new active key after a worker restart; credentials signed before still verify', async () => {
    const before = await issuePid();

    const paths = devMaterialPaths(h.config.dataDir);
    const ca = await loadCertificateAuthority(readFileSync(paths.credentialSigningCaCert, 'utf8'), readFileSync(paths.credentialSigningCaKey, 'utf8'));
    const next = await createCredentialSigningMaterial({ ca, commonName: 'S2S Issuer Development Credential Signer (rotated)' });
    const file = JSON.parse(readFileSync(paths.signingKeys, 'utf8')) as CredentialSigningKeyFile;
    const previousActive = file.active;
    file.keys.push({ id: 'credential-signing-rotated', alg: 'ES256', privateJwk: next.privateJwk, certificateChain: next.certificateChain });
    file.active = 'credential-signing-rotated';
    writeFileSync(paths.signingKeys, JSON.stringify(file, null, 2), { mode: 0o600 });
    await h.stopWorker();
    await h.startWorker();

    const after = await issuePid();
    expect(leafOf(after)).toBe(next.certificateChain[0]);
    expect(leafOf(before)).toBe(file.keys.find((key) => key.id === previousActive)?.certificateChain[0]);
    expect(leafOf(after)).not.toBe(leafOf(before));

    const root = new X509Certificate(Buffer.from(next.certificateChain.at(-1) as string, 'base64'));
    for (const credential of [before, after]) {
      const header = decodeProtectedHeader(issuerJwt(credential));
      await expect(compactVerify(issuerJwt(credential), verifyX5cChain(header.x5c, root))).resolves.toBeDefined();
    }
  });
});
