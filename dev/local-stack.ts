import { readFileSync } from 'node:fs';
import path from 'node:path';
import { registerWalletServerIn } from '../cli/register-wallet-server';
import { issueCertificate, loadCertificateAuthority } from './dev-pki';
import { connectMongo, ensureIndexes } from '../store/mongo';
import type { Tenant } from '../store/tenants';
import { workerReadyMessage } from '../workers/issuer-worker';
import { startDevelopmentDatabase, developmentDatabaseBackend, type DevelopmentDatabase } from './development-database';
import { ensureDevMaterial, type DevMaterialPaths } from './dev-material';
import { freePort, startProcess, startTemporalDevServer, waitForLogLine, waitForPort, type ManagedProcess } from './processes';
import { toolPaths } from './tools';

/** The processes of a local stack that a chaos run may kill and restart. */
export const stackProcessNames = ['temporal', 'postgres', 'ferretdb', 'worker', 'api'] as const;
export type StackProcessName = (typeof stackProcessNames)[number];

/** A Wallet Server registered on the stack: its client certificate and its tenant record. */
export interface StackWallet {
  tenant: Tenant;
  certificatePem: string;
  privateKeyPem: string;
}

export interface LocalStack {
  dir: string;
  logDir: string;
  material: DevMaterialPaths;
  apiUrl: string;
  mongoUri: string;
  database: DevelopmentDatabase;
  /** The configuration the worker and API processes run with. */
  env: Record<string, string>;
  /** Registers a Wallet Server with a fresh client certificate and the given notification URL. */
  registerWallet(name: string, notificationBaseUrl: string): Promise<StackWallet>;
  /** SIGKILL: no shutdown, no cleanup, exactly what a crashed machine does. */
  kill(name: StackProcessName): Promise<void>;
  /** Starts a process again on the same ports and data, and waits until it serves. */
  restart(name: StackProcessName): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole Issuer Server stack on free loopback ports with its data in `dir`, every server a
 * separate process as in production: the development database (PostgreSQL + FerretDB, or
 * FerretDB on SQLite), the Temporal dev server, the worker and the Issuer API. Used by the
 * chaos run, which kills and restarts each of them.
 */
export async function startLocalStack(options: { dir: string; env?: Record<string, string> }): Promise<LocalStack> {
  const tools = toolPaths();
  const logDir = path.join(options.dir, 'logs');
  const material = await ensureDevMaterial(options.dir);
  const [temporalPort, mongoPort, apiPort, adminPort, publicPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const temporalOptions = { port: temporalPort, dbFile: path.join(options.dir, 'temporal.db'), logDir };
  const processes = new Map<StackProcessName, ManagedProcess>();
  let starts = 0;

  processes.set('temporal', await startTemporalDevServer(tools, temporalOptions));
  let database: Awaited<ReturnType<typeof startDevelopmentDatabase>> | undefined;
  // A start that fails half-way stops what it started: its children would keep the caller alive.
  const stopStarted = async () => {
    for (const name of ['api', 'worker', 'temporal'] as const) await processes.get(name)?.stop();
    await database?.stop();
  };
  try {
    database = await startDevelopmentDatabase({ tools, backend: developmentDatabaseBackend(), dir: options.dir, mongoPort, logDir });
  } catch (error) {
    await stopStarted();
    throw error;
  }
  const started = database;
  const env: Record<string, string> = {
    S2S_DATA_DIR: options.dir,
    S2S_ENABLE_DEV_VERIFICATION_TYPES: 'true',
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    MONGODB_URI: started.mongoUri,
    S2S_API_PORT: String(apiPort),
    S2S_ADMIN_PORT: String(adminPort),
    S2S_PUBLIC_PORT: String(publicPort),
    // Operations listeners on free ports: several stacks may run at once.
    S2S_METRICS_PORT: '0',
    S2S_WORKER_METRICS_PORT: '0',
    // info: the worker's ready line is how a (re)start is known to be complete.
    LOG_LEVEL: 'info',
    ...options.env,
  };

  try {
    const { client, db } = await connectMongo(started.mongoUri, 's2s_issuer');
    await ensureIndexes(db);
    await client.close();
  } catch (error) {
    await stopStarted();
    throw error;
  }

  const dist = path.resolve(__dirname, '..');
  // Each start logs to its own file, so waiting for the worker's ready line sees this start's.
  const startWorker = async () => {
    const worker = startProcess(`worker-${++starts}`, process.execPath, [path.join(dist, 'workers/main.js')], { logDir, env });
    processes.set('worker', worker);
    await waitForLogLine(worker, workerReadyMessage, 120_000);
  };
  const startApi = async () => {
    const api = startProcess(`api-${++starts}`, process.execPath, [path.join(dist, 'api/main.js')], { logDir, env });
    processes.set('api', api);
    await waitForPort(apiPort, 60_000, api);
  };
  try {
    await Promise.all([startWorker(), startApi()]);
  } catch (error) {
    await stopStarted();
    throw error;
  }

  const current = (name: StackProcessName): ManagedProcess | undefined => {
    if (name === 'postgres') return started.postgres;
    if (name === 'ferretdb') return started.ferretdb;
    return processes.get(name);
  };

  return {
    dir: options.dir,
    logDir,
    material,
    apiUrl: `https://127.0.0.1:${apiPort}`,
    mongoUri: started.mongoUri,
    database: started,
    env,

    async registerWallet(name, notificationBaseUrl) {
      const ca = await loadCertificateAuthority(readFileSync(material.caCert, 'utf8'), readFileSync(material.caKey, 'utf8'));
      const issued = await issueCertificate(ca, { commonName: name, usage: 'client' });
      const { client: mongo, db: registry } = await connectMongo(started.mongoUri, 's2s_issuer');
      try {
        const tenant = await registerWalletServerIn(registry, {
          name,
          certificatePem: issued.certificatePem,
          notificationBaseUrl,
          clientCaPem: ca.certificatePem,
        });
        return { tenant, certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem };
      } finally {
        await mongo.close();
      }
    },

    async kill(name) {
      const victim = current(name);
      if (!victim || victim.child.exitCode !== null || victim.child.signalCode !== null) return;
      const exited = new Promise((resolve) => victim.child.once('exit', resolve));
      victim.child.kill('SIGKILL');
      await exited;
      await victim.stop();
    },

    async restart(name) {
      switch (name) {
        case 'temporal':
          await processes.get('temporal')?.stop();
          processes.set('temporal', await startTemporalDevServer(tools, temporalOptions));
          return;
        case 'postgres':
          if (started.postgres) await started.restartPostgres();
          return;
        case 'ferretdb':
          await started.restartFerretDb();
          return;
        case 'worker':
          await processes.get('worker')?.stop();
          return startWorker();
        case 'api':
          await processes.get('api')?.stop();
          return startApi();
      }
    },

    async stop() {
      for (const name of ['api', 'worker', 'temporal'] as const) await processes.get(name)?.stop();
      await started.stop();
    },
  };
}
