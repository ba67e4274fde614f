import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type https from 'node:https';
import type { Client } from '@temporalio/client';
import { connectTemporal, connectTemporalWorkers } from '../../clients/temporal/connection';
import type { MongoClient, Db } from 'mongodb';
import pino from 'pino';
import { createApp, type ApiDeps } from '../../api/app';
import { composeIssuerApi, recordServedCredentialMetadata, type ApiComponents } from '../../api/compose';
import { close, createAdminTlsServer, createMutualTlsServer, createPublicTlsServer, listen } from '../../api/server';
import { createStatusListApp } from '../../api/status-lists/app';
import { createAdminApp } from '../../api/admin/app';
import { AdminCaller } from '../../api/admin/route';
import { mintAdminCredential, writeAdminCredentialsFile } from '../../cli/admin-credential';
import { registerWalletServer } from '../../cli/register-wallet-server';
import { loadConfig, type AppConfig } from '../../config/config';
import { createCertificateAuthority, issueCertificate, loadCertificateAuthority } from '../../dev/dev-pki';
import { issuerEncryptionJwks } from '../../crypto/issuer-keys';
import type { TrustedCredentialIssuer } from '../../crypto/sd-jwt-vc-presentation';
import type { HpkeJwk } from '../../crypto/jwe-hpke';
import { ensureDevMaterial } from '../../dev/dev-material';
import { startNotificationReceiver, type NotificationReceiver } from '../../wallet/notification-receiver';
import { connectMongo, ensureIndexes } from '../../store/mongo';
import type { Tenant } from '../../store/tenants';
import type { TenantQuotas } from '../../domain/quotas';
import { composeIssuerWorker } from '../../workers/compose';
import type { IssuerWorker } from '../../workers/issuer-worker';
import { adminRequest, createHttpsClient, type ClientIdentity, type HttpsClient } from './https-client';
import type { Tracing } from '../../observability/tracing';

/**
 * The Issuer Server as integration tests see it: the real API over HTTPS with mTLS and the real
 * worker, against the Temporal dev server and FerretDB that global-setup started. Each harness
 * has its own database, task queue and PKI, so test files do not share state.
 */
export interface IssuerHarness {
  config: AppConfig;
  /** The configuration as environment variables, to run the API or worker as a separate process. */
  env: Record<string, string>;
  /** The CA of the API's server certificate (and of the Wallet Servers' client certificates). */
  caPem: string;
  db: Db;
  temporal: Client;
  http: HttpsClient;
  /** The API's base URL, for clients of a test's own (keep-alive connections, for one). */
  apiUrl: string;
  /** The admin listener's base URL (the admin API under /admin, the reviewer console under /console). */
  adminUrl: string;
  /** Registers another Wallet Server (tenant), by default notified at `<receiver>/<name>`. */
  registerWallet(name: string, options?: { notificationBaseUrl?: string; quotas?: Partial<TenantQuotas> }): Promise<ClientIdentity & { tenant: Tenant }>;
  /** Two registered Wallet Servers (tenants). */
  walletA: ClientIdentity & { tenant: Tenant };
  walletB: ClientIdentity & { tenant: Tenant };
  /** Issued by the trusted CA but never registered. */
  unregistered: ClientIdentity;
  /** Issued by a CA the server does not trust. */
  foreign: ClientIdentity;
  /** The Wallet Servers' notification endpoint (both tenants), over mTLS. */
  receiver: NotificationReceiver;
  /** The issuer's published encryption keys (public JWKs). */
  issuerEncryptionKeys: HpkeJwk[];
  /** The public status list listener (no client certificate). */
  statusListUrl: string;
  statusLists: ApiComponents['statusLists'];
  deps: ApiDeps;
  /**
   * Calls the admin API with one of the harness's credentials (or unauthenticated): reviewers
   * `alice` and `bob`, the back office, the sign-in surface, and the providers `doc-check-co`
   * and `registry-co`.
   */
  admin(method: 'GET' | 'POST', route: string, caller: HarnessAdmin | undefined, body?: unknown): Promise<AdminAnswer>;
  /** Calls the admin API with any bearer token. */
  adminWithToken(method: 'GET' | 'POST', route: string, token: string | undefined, body?: unknown): Promise<AdminAnswer>;
  /** The admin credentials file the listener reads (and reads again when it changes). */
  adminCredentialsFile: string;
  /** The tokens of the harness's admin credentials (test only: production keeps hashes only). */
  adminTokens: Record<HarnessAdmin, string>;
  /** Every log line the API wrote. */
  apiLogs: string[];
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export type HarnessAdmin = 'alice' | 'bob' | 'backOffice' | 'signIn' | 'docCheck' | 'registry';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AdminAnswer = { status: number; json: any; headers: Record<string, string | string[] | undefined> };

/** One credential per caller of the admin listener (profile §16 Admin credentials). */
const harnessAdmins: Record<HarnessAdmin, Parameters<typeof mintAdminCredential>[0]> = {
  alice: { id: 'alice', role: AdminCaller.reviewer, days: 1 },
  bob: { id: 'bob', role: AdminCaller.reviewer, days: 1 },
  backOffice: { id: 'back-office-1', role: AdminCaller.backOffice, days: 1 },
  signIn: { id: 'sign-in-surface-1', role: AdminCaller.issuerSignIn, days: 1 },
  docCheck: { id: 'doc-check-co', role: AdminCaller.provider, provider: 'doc-check-co', days: 1 },
  registry: { id: 'registry-co', role: AdminCaller.provider, provider: 'registry-co', days: 1 },
};

export interface IssuerHarnessOptions {
  /** Failed admin authentications per address before 429 (config default when unset). */
  adminAuthFailureLimit?: number;
  initialDecisionWaitMs?: number;
  reviewClaimMs?: number;
  reviewClock?: () => Date;
  trustedIssuers?: TrustedCredentialIssuer[];
  /** Activity slots of the worker on the main task queue (SDK default when unset). */
  workerActivitySlots?: number;
  /** Activity slots of the outbound worker (calls to Wallet Servers in flight at once). */
  outboundCallSlots?: number;
  outboundRequestTimeoutMs?: number;
  /** Traces of the API's requests, workflows and activities go to its span processor (observability/tracing.ts). */
  tracing?: Tracing;
  /** Further configuration (environment variable names of config/config.ts), applied last. */
  env?: Record<string, string>;
}

export async function startIssuerHarness(options: IssuerHarnessOptions = {}): Promise<IssuerHarness> {
  const temporalAddress = process.env.S2S_TEST_TEMPORAL_ADDRESS;
  const mongoUri = process.env.S2S_TEST_MONGODB_URI;
  const testDir = process.env.S2S_TEST_DIR;
  if (!temporalAddress || !mongoUri || !testDir) throw new Error('integration tests need test/support/global-setup.ts');

  const id = randomUUID().slice(0, 8);
  const dir = path.join(testDir, `harness-${id}`);
  mkdirSync(dir, { recursive: true });
  // The same development material npm start uses: PKI, the issuer's HPKE keys, data keys.
  const material = await ensureDevMaterial(dir);
  const ca = await loadCertificateAuthority(readFileSync(material.caCert, 'utf8'), readFileSync(material.caKey, 'utf8'));
  const otherCa = await createCertificateAuthority(`Untrusted CA ${id}`);
  const receiver = await startNotificationReceiver({
    certificatePem: readFileSync(material.walletTlsCert, 'utf8'),
    privateKeyPem: readFileSync(material.walletTlsKey, 'utf8'),
    clientCaPem: ca.certificatePem,
  });

  // A credential per caller of the admin API.
  const minted = Object.entries(harnessAdmins).map(([name, options]) => ({ name: name as HarnessAdmin, ...mintAdminCredential(options) }));
  const adminTokens = Object.fromEntries(minted.map((m) => [m.name, m.token])) as Record<HarnessAdmin, string>;
  const adminCredentialsFile = path.join(dir, 'admin-credentials.json');
  writeAdminCredentialsFile(adminCredentialsFile, { credentials: minted.map((m) => m.entry) });

  writeFileSync(path.join(dir, 'trusted-issuers.json'), JSON.stringify(options.trustedIssuers ?? []));
  const env: Record<string, string> = {
    S2S_DATA_DIR: dir,
    S2S_TRUSTED_ISSUERS_FILE: path.join(dir, 'trusted-issuers.json'),
    S2S_ISSUER_URL: 'https://issuer.test',
    // The lists' URIs; the listener itself is on a free port (statusListUrl).
    S2S_PUBLIC_URL: 'https://status.issuer.test',
    S2S_ADMIN_TOKENS_FILE: adminCredentialsFile,
    // Short, so that a test sees a rotated credentials file at once.
    S2S_ADMIN_CREDENTIALS_RECHECK_MS: '100',
    ...(options.adminAuthFailureLimit ? { S2S_ADMIN_AUTH_FAILURE_LIMIT: String(options.adminAuthFailureLimit) } : {}),
    S2S_REVIEW_CLAIM_MS: String(options.reviewClaimMs ?? 60_000),
    S2S_API_PORT: '0',
    // Operations listeners on free ports: several stacks may run at once.
    S2S_METRICS_PORT: '0',
    S2S_WORKER_METRICS_PORT: '0',
    S2S_BODY_LIMIT_BYTES: String(128 * 1024),
    // Generous: initiate answers as soon as the first decision exists, so this only bounds how
    // long a busy machine's worker may take before tests that expect a decision see PENDING.
    S2S_INITIAL_DECISION_WAIT_MS: String(options.initialDecisionWaitMs ?? 20_000),
    S2S_ENABLE_DEV_VERIFICATION_TYPES: 'true',
    S2S_MAX_ATTEMPTS: '3',
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `it-${id}`,
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: `it_${id}`,
    LOG_LEVEL: 'warn',
    ...(options.workerActivitySlots ? { S2S_WORKER_MAX_CONCURRENT_ACTIVITIES: String(options.workerActivitySlots) } : {}),
    ...(options.outboundCallSlots ? { S2S_OUTBOUND_MAX_CONCURRENT_CALLS: String(options.outboundCallSlots) } : {}),
    ...(options.outboundRequestTimeoutMs ? { S2S_OUTBOUND_REQUEST_TIMEOUT_MS: String(options.outboundRequestTimeoutMs) } : {}),
    ...options.env,
  };
  const config = loadConfig(env);

  const { client: mongo, db } = await connectMongo(config.mongo.uri, config.mongo.database);
  await ensureIndexes(db);
  const temporalConnection = await connectTemporal(config.temporal);
  // The API's log lines are kept for the privacy scan, as the production JSON lines would be.
  const apiLogs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void apiLogs.push(line) });
  const {
    api: deps,
    admin: adminDeps,
    temporal,
    statusLists,
  } = composeIssuerApi(config, {
    db,
    temporal: temporalConnection,
    logger,
    ...(options.reviewClock ? { reviewClock: options.reviewClock } : {}),
    traced: options.tracing !== undefined,
  });
  await recordServedCredentialMetadata(deps, adminDeps.lifecycleBatches);
  const register = async (name: string, registration: { notificationBaseUrl?: string; quotas?: Partial<TenantQuotas> } = {}) => {
    const issued = await issueCertificate(ca, { commonName: name, usage: 'client' });
    const tenant = await registerWalletServer(
      {
        name,
        certificatePem: issued.certificatePem,
        notificationBaseUrl: registration.notificationBaseUrl ?? `${receiver.url}/${name}`,
        clientCaPem: ca.certificatePem,
        ...(registration.quotas ? { quotas: registration.quotas } : {}),
      },
      deps.tenants,
    );
    return { ...issued, tenant };
  };
  const walletA = await register('wallet-a');
  const walletB = await register('wallet-b');
  const unregistered = await issueCertificate(ca, { commonName: 'unregistered', usage: 'client' });
  const foreign = await issueCertificate(otherCa, { commonName: 'foreign', usage: 'client' });

  const server: https.Server = createMutualTlsServer(createApp(deps), config.tls);
  const port = await listen(server, '127.0.0.1', 0);
  const adminServer = createAdminTlsServer(createAdminApp(adminDeps), config.tls);
  const adminPort = await listen(adminServer, '127.0.0.1', 0);
  const statusListServer = createPublicTlsServer(createStatusListApp(statusLists), config.tls);
  const statusListPort = await listen(statusListServer, '127.0.0.1', 0);
  const caPem = readFileSync(material.caCert, 'utf8');
  const adminWithToken = (method: 'GET' | 'POST', route: string, token: string | undefined, body?: unknown) =>
    adminRequest(`https://127.0.0.1:${adminPort}${route}`, caPem, method, token, body);
  const admin = (method: 'GET' | 'POST', route: string, caller: HarnessAdmin | undefined, body?: unknown) =>
    adminWithToken(method, route, caller ? adminTokens[caller] : undefined, body);

  const workerConnection = await connectTemporalWorkers(config.temporal);
  let worker: { worker: IssuerWorker; running: Promise<void> } | undefined;
  const startWorker = async () => {
    // The Schedule is not created: reconciliation tests run the workflow themselves.
    const { worker: created } = await composeIssuerWorker(config, {
      db,
      temporal: temporalConnection,
      workerConnection,
      ...(options.tracing ? { tracing: options.tracing } : {}),
    });
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
    env,
    caPem,
    db,
    temporal,
    http: createHttpsClient(`https://127.0.0.1:${port}`, ca.certificatePem),
    apiUrl: `https://127.0.0.1:${port}`,
    adminUrl: `https://127.0.0.1:${adminPort}`,
    registerWallet: register,
    walletA,
    walletB,
    unregistered,
    foreign,
    receiver,
    admin,
    adminWithToken,
    adminCredentialsFile,
    adminTokens,
    issuerEncryptionKeys: issuerEncryptionJwks(deps.issuerKeys).keys,
    statusListUrl: `https://127.0.0.1:${statusListPort}`,
    statusLists,
    deps,
    apiLogs,
    startWorker,
    stopWorker,
    async close() {
      await stopWorker();
      await close(server);
      await close(adminServer);
      await close(statusListServer);
      await workerConnection.close();
      await temporalConnection.close();
      await (mongo as MongoClient).close();
      await receiver.close();
    },
  };
}
