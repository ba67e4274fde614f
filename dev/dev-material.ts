import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { createCertificateAuthority, issueCertificate, type IssuedCertificate } from '../crypto/dev-pki';
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
  issuerKeys: string;
  walletSigningKey: string;
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
    issuerKeys: path.join(dataDir, 'keys', 'issuer-keys.json'),
    walletSigningKey: path.join(dataDir, 'dev-wallet', 'wallet-signing-key.json'),
  };
}

function writeSecret(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, content, { mode: 0o600 });
}

function writePair(certFile: string, keyFile: string, issued: IssuedCertificate): void {
  writeSecret(keyFile, issued.privateKeyPem);
  writeFileSync(certFile, issued.certificatePem);
}

export async function ensureDevMaterial(dataDir: string, log: (line: string) => void = () => undefined): Promise<DevMaterialPaths> {
  const paths = devMaterialPaths(dataDir);
  if (!existsSync(paths.caCert) || !existsSync(paths.serverCert) || !existsSync(paths.walletCert)) {
    log('creating the development PKI (CA, Issuer API server certificate, development Wallet Server client certificate)');
    const ca = await createCertificateAuthority('S2S Issuer Development CA');
    writePair(paths.caCert, paths.caKey, ca);
    writePair(paths.serverCert, paths.serverKey, await issueCertificate(ca, { commonName: 'localhost', usage: 'server', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] }));
    writePair(paths.walletCert, paths.walletKey, await issueCertificate(ca, { commonName: 'Development Wallet Server', usage: 'client' }));
  }
  if (!existsSync(paths.issuerKeys)) {
    log('creating development issuer keys');
    const signing = await generateKeyPair('ES256', { extractable: true });
    const encryption = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
    const createdAt = new Date().toISOString();
    writeSecret(
      paths.issuerKeys,
      JSON.stringify(
        {
          signing: [{ ...(await exportJWK(signing.privateKey)), alg: 'ES256', use: 'sig', kid: `sig-${createdAt.slice(0, 10)}` }],
          encryption: [{ ...(await exportJWK(encryption.privateKey)), alg: 'HPKE-0-KE', use: 'enc', kid: `enc-${createdAt.slice(0, 10)}` }],
          createdAt,
        },
        null,
        2,
      ),
    );
  }
  if (!existsSync(paths.walletSigningKey)) {
    log('creating the development Wallet Signing Key used by the example request');
    writeSecret(paths.walletSigningKey, JSON.stringify(await exportWalletSigningKey(await generateWalletSigningKey('ES256')), null, 2));
  }
  return paths;
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

if (require.main === module) {
  const dataDir = path.resolve(process.env.S2S_DATA_DIR ?? '.data');
  ensureDevMaterial(dataDir, (line) => console.log(`[bootstrap] ${line}`))
    .then(() => console.log(`[bootstrap] development keys and certificates in ${dataDir}`))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
