import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { registerWalletServerIn } from '../cli/register-wallet-server';
import { loadConfig, type AppConfig } from '../config/config';
import { loadIssuerKeyMaterial } from '../crypto/key-material';
import { createIssuerHolderRepository } from '../store/issuer-holders';
import { createTenantRepository } from '../store/tenants';
import { connectMongo } from '../store/mongo';
import { runDemo, type DemoEnvironment } from './demo-script';
import { devMaterialPaths } from './dev-material';
import { issueCertificate, loadCertificateAuthority } from './dev-pki';
import { startLocalStack, type LocalStack } from './local-stack';

/**
 * `npm run demo`: the narrated walk-through of dev/demo-script.ts. It uses the stack `npm start`
 * runs in this checkout when one answers; otherwise it starts a stack of its own in a temporary
 * folder (no Web UI then) and stops it afterwards.
 */
const say = (line: string) => console.log(`[demo] ${line}`);

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** What the demo needs of a stack whose configuration is `config` and whose development material is in its data folder. */
async function environmentOf(config: AppConfig, urls: { apiUrl: string; adminUrl: string; temporalUiUrl?: string }) {
  const material = devMaterialPaths(config.dataDir);
  const read = (file: string) => readFileSync(file, 'utf8');
  const ca = await loadCertificateAuthority(read(material.caCert), read(material.caKey));
  const { client: mongo, db } = await connectMongo(config.mongo.uri, config.mongo.database);
  const holders = createIssuerHolderRepository(db, loadIssuerKeyMaterial(config).dataKeyring);
  const environment: DemoEnvironment = {
    ...urls,
    caPem: ca.certificatePem,
    // npm start writes these development tokens in clear (dev/dev-material.ts); production keeps hashes only.
    tokens: { backOffice: read(material.devBackOfficeToken).trim(), reviewer: read(material.devReviewerToken).trim() },
    async registerWallet(name, notificationBaseUrl) {
      const issued = await issueCertificate(ca, { commonName: name, usage: 'client' });
      const tenant = await registerWalletServerIn(db, { name, certificatePem: issued.certificatePem, notificationBaseUrl, clientCaPem: ca.certificatePem });
      return { tenantId: tenant._id, certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem };
    },
    walletServerTls: { certificatePem: read(material.walletTlsCert), privateKeyPem: read(material.walletTlsKey) },
    putHolder: (holder) => holders.putHolder(holder),
    async deregisterWallet(tenantId) {
      await createTenantRepository(db).deregister(tenantId);
    },
  };
  return { environment, close: () => mongo.close() };
}

async function main(): Promise<void> {
  // The configuration npm start gives its processes (dev/start.ts).
  const config = loadConfig({ S2S_ENABLE_DEV_VERIFICATION_TYPES: 'true', ...process.env });
  let stack: LocalStack | undefined;
  let dir: string | undefined;
  let stackConfig = config;
  let urls: { apiUrl: string; adminUrl: string; temporalUiUrl?: string } = {
    apiUrl: `https://${config.api.host}:${config.api.port}`,
    adminUrl: `https://${config.admin.host}:${config.admin.port}`,
    temporalUiUrl: `http://127.0.0.1:${process.env.TEMPORAL_UI_PORT ?? 8233}/namespaces/${config.temporal.namespace}/workflows`,
  };
  if (await answers(config.api.host, config.api.port)) {
    say(`using the stack npm start runs: ${urls.apiUrl}`);
  } else {
    dir = mkdtempSync(path.join(os.tmpdir(), 's2s-demo-'));
    say(`no stack answers at ${urls.apiUrl}: starting one in ${dir} (about 20 s; npm start keeps one running, with the Temporal Web UI)`);
    stack = await startLocalStack({ dir }).catch((error: unknown) => {
      rmSync(dir as string, { recursive: true, force: true });
      throw error;
    });
    stackConfig = loadConfig(stack.env);
    urls = { apiUrl: stack.apiUrl, adminUrl: `https://127.0.0.1:${stackConfig.admin.port}` };
  }
  let close: (() => Promise<void>) | undefined;
  try {
    const opened = await environmentOf(stackConfig, urls);
    close = opened.close;
    const result = await runDemo(opened.environment, (line) => console.log(line));
    console.log('');
    say(`done: ${result.steps.length} steps, ${result.exchanges} exchanges, Wallet Server tenant ${result.tenantId}`);
  } finally {
    await close?.();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error('[demo] failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
