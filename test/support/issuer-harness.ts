import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type https from 'node:https';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { MongoClient, Db } from 'mongodb';
import pino from 'pino';
import { createApp } from '../../api/app';
import { close, createMutualTlsServer, listen } from '../../api/server';
import { registerWalletServer } from '../../cli/register-wallet-server';
import { createVerificationWorkflowStarter } from '../../clients/verification-workflows';
import { loadConfig, type AppConfig } from '../../config/config';
import { loadCredentialCatalogue } from '../../config/verification';
import { createCertificateAuthority, issueCertificate, type IssuedCertificate } from '../../crypto/dev-pki';
import { createIdempotencyRepository } from '../../store/idempotency';
import { connectMongo, ensureIndexes } from '../../store/mongo';
import { createTenantRepository, type Tenant } from '../../store/tenants';
import { createVerificationDataRepository } from '../../store/verification-data';
import { createVerificationSessionRepository } from '../../store/verification-sessions';
import { createIssuerWorker } from '../../workers/verification-worker';
import { createHttpsClient, type ClientIdentity, type HttpsClient } from './https-client';

/**
 * The Issuer Server as integration tests see it: the real API over HTTPS with mTLS and the real
 * worker, against the Temporal dev server and FerretDB that global-setup started. Each harness
 * has its own database, task queue and PKI, so test files do not share state.
 */
export interface IssuerHarness {
  config: AppConfig;
  db: Db;
  temporal: Client;
  http: HttpsClient;
  /** Two registered Wallet Servers (tenants). */
  walletA: ClientIdentity & { tenant: Tenant };
  walletB: ClientIdentity & { tenant: Tenant };
  /** Issued by the trusted CA but never registered. */
  unregistered: ClientIdentity;
  /** Issued by a CA the server does not trust. */
  foreign: ClientIdentity;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startIssuerHarness(options: { initialDecisionWaitMs?: number } = {}): Promise<IssuerHarness> {
  const temporalAddress = process.env.S2S_TEST_TEMPORAL_ADDRESS;
  const mongoUri = process.env.S2S_TEST_MONGODB_URI;
  const testDir = process.env.S2S_TEST_DIR;
  if (!temporalAddress || !mongoUri || !testDir) throw new Error('integration tests need test/support/global-setup.ts');

  const id = randomUUID().slice(0, 8);
  const dir = path.join(testDir, `harness-${id}`);
  mkdirSync(dir, { recursive: true });
  const ca = await createCertificateAuthority(`Test CA ${id}`);
  const otherCa = await createCertificateAuthority(`Untrusted CA ${id}`);
  const write = (name: string, issued: IssuedCertificate) => {
    writeFileSync(path.join(dir, `${name}.crt`), issued.certificatePem);
    writeFileSync(path.join(dir, `${name}.key`), issued.privateKeyPem);
  };
  write('ca', ca);
  write('server', await issueCertificate(ca, { commonName: 'localhost', usage: 'server', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }));

  const config = loadConfig({
    S2S_DATA_DIR: dir,
    S2S_TLS_CERT: path.join(dir, 'server.crt'),
    S2S_TLS_KEY: path.join(dir, 'server.key'),
    S2S_TLS_CLIENT_CA: path.join(dir, 'ca.crt'),
    S2S_API_PORT: '0',
    S2S_BODY_LIMIT_BYTES: String(64 * 1024),
    S2S_INITIAL_DECISION_WAIT_MS: String(options.initialDecisionWaitMs ?? 3000),
    S2S_ENABLE_DEV_VERIFICATION_TYPES: 'true',
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `it-${id}`,
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: `it_${id}`,
    LOG_LEVEL: 'warn',
  });

  const { client: mongo, db } = await connectMongo(config.mongo.uri, config.mongo.database);
  await ensureIndexes(db);
  const tenants = createTenantRepository(db);
  const register = async (name: string) => {
    const issued = await issueCertificate(ca, { commonName: name, usage: 'client' });
    const tenant = await registerWalletServer(
      { name, certificatePem: issued.certificatePem, notificationBaseUrl: `https://${name}.example/s2s`, clientCaPem: ca.certificatePem },
      tenants,
    );
    return { ...issued, tenant };
  };
  const walletA = await register('wallet-a');
  const walletB = await register('wallet-b');
  const unregistered = await issueCertificate(ca, { commonName: 'unregistered', usage: 'client' });
  const foreign = await issueCertificate(otherCa, { commonName: 'foreign', usage: 'client' });

  const connection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const logger = pino({ level: 'silent' });
  const app = createApp({
    logger,
    tenants,
    idempotency: createIdempotencyRepository(db, config.api.idempotencyRetentionMs),
    sessions: createVerificationSessionRepository(db),
    verificationData: createVerificationDataRepository(db),
    catalogue: loadCredentialCatalogue(config.verification),
    workflows: createVerificationWorkflowStarter(temporal, config.temporal.taskQueue),
    bodyLimitBytes: config.api.bodyLimitBytes,
    initialDecisionWaitMs: config.api.initialDecisionWaitMs,
    idleExpiryMs: config.verification.idleExpiryMs,
  });
  const server: https.Server = createMutualTlsServer(app, config.tls);
  const port = await listen(server, '127.0.0.1', 0);

  const workerConnection = await NativeConnection.connect({ address: config.temporal.address });
  let worker: { worker: Worker; running: Promise<void> } | undefined;
  const startWorker = async () => {
    const created = await createIssuerWorker({ connection: workerConnection, config, db });
    worker = { worker: created, running: created.run() };
  };
  const stopWorker = async () => {
    if (!worker) return;
    worker.worker.shutdown();
    await worker.running;
    worker = undefined;
  };
  await startWorker();

  return {
    config,
    db,
    temporal,
    http: createHttpsClient(`https://127.0.0.1:${port}`, ca.certificatePem),
    walletA,
    walletB,
    unregistered,
    foreign,
    startWorker,
    stopWorker,
    async close() {
      await stopWorker();
      await close(server);
      await workerConnection.close();
      await connection.close();
      await (mongo as MongoClient).close();
    },
  };
}
