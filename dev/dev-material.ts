import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { generateHpkeJwk } from '../crypto/issuer-keys';
import { generateDataKeyringJson } from '../crypto/data-encryption';
import { AdminCaller } from '../api/admin/route';
import { mintAdminCredential, readAdminCredentialsFile, writeAdminCredentialsFile } from '../cli/admin-credential';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { CredentialFormatId } from '../domain/credential-formats/format';
import type { CredentialSigningKeyFile } from '../crypto/credential-signing-keys';
import {
  createCertificateAuthority,
  createCredentialSigningMaterial,
  createMdocIssuerPki,
  issueCertificate,
  issueMdocDocumentSigner,
  loadCertificateAuthority,
  type IssuedCertificate,
} from './dev-pki';
import { makePrivateDir, preparePrivateDataDir, privateFileMode } from './private-files';
import { exportWalletSigningKey, generateWalletSigningKey } from '../wallet/wallet-client-instance';

/**
 * Development key material under <dataDir>: a CA, the Issuer API's server certificate, a
 * development Wallet Server's client certificate, the issuer's own keys and a Wallet Signing
 * Key for the example request. Created once; later runs keep what exists.
 */
export interface DevMaterialPaths {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  walletCert: string;
  walletKey: string;
  /** The issuer's client certificate for calls to Wallet Servers (mTLS). */
  issuerClientCert: string;
  issuerClientKey: string;
  /** Server certificate of the development Wallet Server's notification endpoint. */
  walletTlsCert: string;
  walletTlsKey: string;
  issuerKeys: string;
  dataKeys: string;
  otpKeys: string;
  /** Admin credentials, one per role (api/admin/admin-credentials.ts). */
  adminCredentials: string;
  /** The development reviewer's bearer token (development only: production stores hashes only). */
  devReviewerToken: string;
  /** The other development admin tokens: back office, sign-in surface, provider `dev-provider`. */
  devBackOfficeToken: string;
  devSignInToken: string;
  devProviderToken: string;
  walletSigningKey: string;
  /** mso_mdoc (ISO 18013-5 Annex B): the development IACA (trust anchor) and the document signer that signs MSOs. */
  mdocIacaCert: string;
  mdocIacaKey: string;
  mdocSignerCert: string;
  mdocSignerKey: string;
  /** The issuer's credential signing keys (crypto/credential-signing-keys.ts) and the development CA that certifies them. */
  signingKeys: string;
  credentialSigningCaCert: string;
  credentialSigningCaKey: string;
}

export function devMaterialPaths(dataDir: string): DevMaterialPaths {
  const pki = path.join(dataDir, 'pki');
  return {
    caCert: path.join(pki, 'ca.crt'),
    caKey: path.join(pki, 'ca.key'),
    serverCert: path.join(pki, 'issuer-server.crt'),
    serverKey: path.join(pki, 'issuer-server.key'),
    walletCert: path.join(pki, 'dev-wallet-server.crt'),
    walletKey: path.join(pki, 'dev-wallet-server.key'),
    issuerClientCert: path.join(pki, 'issuer-client.crt'),
    issuerClientKey: path.join(pki, 'issuer-client.key'),
    walletTlsCert: path.join(pki, 'dev-wallet-server-tls.crt'),
    walletTlsKey: path.join(pki, 'dev-wallet-server-tls.key'),
    issuerKeys: path.join(dataDir, 'keys', 'issuer-keys.json'),
    dataKeys: path.join(dataDir, 'keys', 'data-keys.json'),
    otpKeys: path.join(dataDir, 'keys', 'otp-keys.json'),
    adminCredentials: path.join(dataDir, 'keys', 'admin-credentials.json'),
    devReviewerToken: path.join(dataDir, 'keys', 'dev-reviewer-token'),
    devBackOfficeToken: path.join(dataDir, 'keys', 'dev-back-office-token'),
    devSignInToken: path.join(dataDir, 'keys', 'dev-sign-in-token'),
    devProviderToken: path.join(dataDir, 'keys', 'dev-provider-token'),
    walletSigningKey: path.join(dataDir, 'dev-wallet', 'wallet-signing-key.json'),
    mdocIacaCert: path.join(pki, 'mdoc-iaca.crt'),
    mdocIacaKey: path.join(pki, 'mdoc-iaca.key'),
    mdocSignerCert: path.join(pki, 'mdoc-document-signer.crt'),
    mdocSignerKey: path.join(pki, 'mdoc-document-signer.key'),
    signingKeys: path.join(dataDir, 'keys', 'signing-keys.json'),
    credentialSigningCaCert: path.join(pki, 'credential-signing-ca.crt'),
    credentialSigningCaKey: path.join(pki, 'credential-signing-ca.key'),
  };
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function writeSecret(file: string, content: string): void {
  makePrivateDir(path.dirname(file));
  writeFileSync(file, content, { mode: privateFileMode });
  chmodSync(file, privateFileMode); // also when the file existed with a looser mode
}

function writePair(certFile: string, keyFile: string, issued: IssuedCertificate): void {
  writeSecret(keyFile, issued.privateKeyPem);
  // Certificates are public, but they live among the keys: same mode, one rule for the folder.
  writeSecret(certFile, issued.certificatePem);
}

/** The mdoc IACA and document signer, apart from the TLS CA: an IACA signs only mdoc signers (Annex B). */
async function ensureMdocIssuerPki(paths: DevMaterialPaths, log: (line: string) => void): Promise<void> {
  if ([paths.mdocIacaCert, paths.mdocIacaKey, paths.mdocSignerCert, paths.mdocSignerKey].every((file) => existsSync(file))) return;
  log('creating the development mdoc IACA and document signer certificate (ISO 18013-5 Annex B)');
  const { iaca, documentSigner } = await createMdocIssuerPki();
  writePair(paths.mdocIacaCert, paths.mdocIacaKey, iaca);
  writePair(paths.mdocSignerCert, paths.mdocSignerKey, documentSigner);
}

export async function ensureDevMaterial(dataDir: string, log: (line: string) => void = () => undefined): Promise<DevMaterialPaths> {
  const paths = devMaterialPaths(dataDir);
  const certificates = [paths.caCert, paths.serverCert, paths.walletCert, paths.issuerClientCert, paths.walletTlsCert];
  if (!certificates.every((file) => existsSync(file))) {
    log('creating the development PKI (CA; Issuer API server and client certificates; development Wallet Server client and server certificates)');
    const ca = await createCertificateAuthority('S2S Issuer Development CA');
    const localhost = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] };
    writePair(paths.caCert, paths.caKey, ca);
    writePair(paths.serverCert, paths.serverKey, await issueCertificate(ca, { commonName: 'localhost', usage: 'server', ...localhost }));
    writePair(paths.issuerClientCert, paths.issuerClientKey, await issueCertificate(ca, { commonName: 'Development Issuer Server', usage: 'client' }));
    writePair(paths.walletCert, paths.walletKey, await issueCertificate(ca, { commonName: 'Development Wallet Server', usage: 'client' }));
    writePair(paths.walletTlsCert, paths.walletTlsKey, await issueCertificate(ca, { commonName: 'localhost', usage: 'server', ...localhost }));
  }
  // Made once: a file with keys is the operator's (it may hold a rotated-in third key); one from
  // before there were two encryption keys is made again.
  if (!existsSync(paths.issuerKeys) || (readJson<{ encryption?: unknown[] }>(paths.issuerKeys).encryption?.length ?? 0) < 2) {
    log('creating development issuer keys (two HPKE encryption keys, as during a rotation; one signing key)');
    const signing = await generateKeyPair('ES256', { extractable: true });
    writeSecret(
      paths.issuerKeys,
      JSON.stringify(
        {
          encryption: [await generateHpkeJwk('HPKE-0-KE'), await generateHpkeJwk('HPKE-3-KE')],
          signing: [{ ...(await exportJWK(signing.privateKey)), alg: 'ES256', use: 'sig', kid: 'sig-1' }],
        },
        null,
        2,
      ),
    );
  }
  if (!existsSync(paths.dataKeys)) {
    log('creating the development key-encryption key for data at rest');
    writeSecret(paths.dataKeys, JSON.stringify(generateDataKeyringJson('kek-1'), null, 2));
  }
  if (!existsSync(paths.otpKeys)) {
    log('creating the development HMAC key for one-time codes');
    writeSecret(paths.otpKeys, JSON.stringify(generateDataKeyringJson('otp-1'), null, 2));
  }
  const devAdmins = [
    { file: paths.devReviewerToken, id: 'dev-reviewer', role: AdminCaller.reviewer },
    { file: paths.devBackOfficeToken, id: 'dev-back-office', role: AdminCaller.backOffice },
    { file: paths.devSignInToken, id: 'dev-sign-in', role: AdminCaller.issuerSignIn },
    { file: paths.devProviderToken, id: 'dev-provider', role: AdminCaller.provider, provider: 'dev-provider' },
  ];
  // Credentials expire: renewed when one has less than a week left.
  const renewBefore = Date.now() + 7 * 24 * 60 * 60 * 1000;
  const current = existsSync(paths.adminCredentials) ? readAdminCredentialsFile(paths.adminCredentials).credentials : [];
  const fresh = devAdmins.every((admin) => existsSync(admin.file) && current.some((c) => c.id === admin.id && Date.parse(c.notAfter) > renewBefore));
  if (!fresh) {
    log('creating development admin credentials, one per role (reviewer, back office, sign-in surface, provider dev-provider)');
    const minted = devAdmins.map((admin) => ({ admin, ...mintAdminCredential({ ...admin, days: 365 }) }));
    for (const { admin, token } of minted) writeSecret(admin.file, `${token}\n`);
    // Credentials added with npm run admin-credential stay.
    const others = current.filter((c) => !devAdmins.some((admin) => admin.id === c.id));
    writeAdminCredentialsFile(paths.adminCredentials, { credentials: [...others, ...minted.map((m) => m.entry)] });
  }
  if (!existsSync(paths.walletSigningKey)) {
    log('creating the development Wallet Signing Key used by the example request');
    writeSecret(paths.walletSigningKey, JSON.stringify(await exportWalletSigningKey(await generateWalletSigningKey('ES256')), null, 2));
  }
  await ensureMdocIssuerPki(paths, log);
  await ensureCredentialSigningKeys(paths, log);
  await ensureMdocSigningKey(paths, log);
  return paths;
}

/** Renewed when the active signing certificate has less than this left, as an operator would rotate. */
const signingKeyRenewalMs = 30 * 24 * 60 * 60 * 1000;

/**
 * The development credential signing keys: a CA of their own and one ES256 key certified by it.
 * When the active key's certificate nears its end, a new key from the same CA becomes active and
 * the old one stays in the file, so credentials it signed still verify (rotation).
 */
async function ensureCredentialSigningKeys(paths: DevMaterialPaths, log: (line: string) => void): Promise<void> {
  const haveCa = existsSync(paths.credentialSigningCaCert) && existsSync(paths.credentialSigningCaKey);
  const current = existsSync(paths.signingKeys) && haveCa ? readJson<CredentialSigningKeyFile>(paths.signingKeys) : undefined;
  const activeEntry = current?.keys.find((entry) => entry.id === current.active);
  const activeUntil = activeEntry?.certificateChain[0] ? Date.parse(new X509Certificate(Buffer.from(activeEntry.certificateChain[0], 'base64')).validTo) : 0;
  if (current && activeUntil > Date.now() + signingKeyRenewalMs) return;
  const ca = haveCa
    ? await loadCertificateAuthority(readFileSync(paths.credentialSigningCaCert, 'utf8'), readFileSync(paths.credentialSigningCaKey, 'utf8'))
    : undefined;
  log(ca ? 'rotating the development credential signing key (the old one stays for verification)' : 'creating the development credential signing CA and key');
  const material = await createCredentialSigningMaterial(ca ? { ca } : {});
  if (!ca) writePair(paths.credentialSigningCaCert, paths.credentialSigningCaKey, material.ca);
  const id = `credential-signer-${new Date().toISOString().slice(0, 10)}-${(current?.keys.length ?? 0) + 1}`;
  const entry = { id, alg: 'ES256', privateJwk: material.privateJwk, certificateChain: material.certificateChain };
  // The formats' own keys (the mdoc document signer) stay as they are.
  const file: CredentialSigningKeyFile = {
    active: id,
    ...(current?.activeByFormat ? { activeByFormat: current.activeByFormat } : {}),
    keys: [...(current?.keys ?? []), entry],
  };
  writeSecret(paths.signingKeys, JSON.stringify(file, null, 2));
}

const base64Der = (pem: string) => new X509Certificate(pem).raw.toString('base64');
const certificateFrom = (der: string | undefined) => (der === undefined ? undefined : new X509Certificate(Buffer.from(der, 'base64')));

/**
 * The mdoc document signer in the signing-keys file, active for mso_mdoc (`activeByFormat`), its
 * chain [DS, IACA] (the signer leaves the self-signed IACA out of x5chain: it is the verifier's
 * trust anchor, ISO 18013-5 Annex B). A folder made before the file had it gets the DS already in
 * pki/; a DS near its end, or not from the current IACA, is replaced by a new one from the IACA,
 * and the old entry stays listed (rotation), as for the credential signing key.
 */
async function ensureMdocSigningKey(paths: DevMaterialPaths, log: (line: string) => void): Promise<void> {
  const file = readJson<CredentialSigningKeyFile>(paths.signingKeys);
  const iacaPem = readFileSync(paths.mdocIacaCert, 'utf8');
  const iaca = new X509Certificate(iacaPem);
  const usable = (leaf: X509Certificate | undefined) =>
    leaf !== undefined && leaf.checkIssued(iaca) && leaf.verify(iaca.publicKey) && Date.parse(leaf.validTo) > Date.now() + signingKeyRenewalMs;
  const activeId = file.activeByFormat?.[CredentialFormatId.mdoc];
  const activeEntry = file.keys.find((entry) => entry.id === activeId && entry.privateJwk !== undefined);
  if (activeEntry && usable(certificateFrom(activeEntry.certificateChain[0]))) return;

  if (!usable(new X509Certificate(readFileSync(paths.mdocSignerCert, 'utf8')))) {
    log('renewing the development mdoc document signer from the IACA (the old one stays for verification)');
    const ca = await loadCertificateAuthority(iacaPem, readFileSync(paths.mdocIacaKey, 'utf8'));
    writePair(paths.mdocSignerCert, paths.mdocSignerKey, await issueMdocDocumentSigner(ca));
  }
  log('adding the development mdoc document signer to the credential signing keys, active for mso_mdoc');
  const signerDer = base64Der(readFileSync(paths.mdocSignerCert, 'utf8'));
  const { kty, crv, x, y, d } = createPrivateKey(readFileSync(paths.mdocSignerKey, 'utf8')).export({ format: 'jwk' });
  const known = file.keys.find((entry) => entry.certificateChain[0] === signerDer);
  const id = known?.id ?? `mdoc-document-signer-${new Date().toISOString().slice(0, 10)}-${file.keys.length + 1}`;
  const entry = { id, alg: 'ES256', privateJwk: { kty, crv, x, y, d }, certificateChain: [signerDer, base64Der(iacaPem)] };
  const updated: CredentialSigningKeyFile = {
    active: file.active,
    activeByFormat: { ...file.activeByFormat, [CredentialFormatId.mdoc]: id },
    keys: known ? file.keys.map((other) => (other.id === id ? entry : other)) : [...file.keys, entry],
  };
  writeSecret(paths.signingKeys, JSON.stringify(updated, null, 2));
}

if (require.main === module) {
  const dataDir = path.resolve(process.env.S2S_DATA_DIR ?? '.data');
  preparePrivateDataDir(dataDir);
  ensureDevMaterial(dataDir, (line) => console.log(`[bootstrap] ${line}`))
    .then(() => console.log(`[bootstrap] development keys and certificates in ${dataDir}`))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
