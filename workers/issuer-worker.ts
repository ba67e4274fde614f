import { NativeConnection, Worker } from '@temporalio/worker';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { createVerificationActivities } from '../activities/verification-activities';
import { temporalTlsOptions } from '../clients/temporal';
import type { AppConfig } from '../config/config';
import { loadCredentialCatalogue, loadEvaluators } from '../config/verification';
import { createEvaluatorPorts } from '../activities/evaluator-ports';
import { createVerificationDataRepository } from '../store/verification-data';
import { createTenantRepository } from '../store/tenants';
import { createReviewCaseRepository } from '../store/review-cases';
import type { WalletServerClient } from '../clients/wallet-server-client';
import { createConfiguredWalletServerClient, loadIssuerKeyMaterial } from '../config/components';
import type { DataKeyring } from '../crypto/data-encryption';
import { createPayloadCodec } from '../crypto/temporal-payload-codec';
import { createVerificationSessionRepository } from '../store/verification-sessions';

/** Logged by workers/main.ts once the worker polls; dev/start.ts waits for it. */
export const workerReadyMessage = 'worker running';

export function createWorkerActivities(db: Db, config: AppConfig, walletServers: WalletServerClient, dataKeyring: DataKeyring) {
  return createVerificationActivities({
    sessions: createVerificationSessionRepository(db),
    verificationData: createVerificationDataRepository(db, dataKeyring),
    tenants: createTenantRepository(db),
    evaluators: loadEvaluators(config.verification, createEvaluatorPorts(db)),
    catalogue: loadCredentialCatalogue(config.verification),
    walletServers,
    reviewCases: createReviewCaseRepository(db),
  });
}

export async function connectWorkerConnection(config: AppConfig['temporal']): Promise<NativeConnection> {
  const tls = temporalTlsOptions(config);
  return NativeConnection.connect({ address: config.address, ...(tls ? { tls } : {}) });
}

/** The worker that runs VerificationWorkflows and their activities on the configured task queue. */
export async function createIssuerWorker(options: {
  connection: NativeConnection;
  config: AppConfig;
  db: Db;
  logger?: Logger;
  /** Outbound client for Wallet Server notifications; built from configuration when absent. */
  walletServers?: WalletServerClient;
}): Promise<Worker> {
  const { dataKeyring } = loadIssuerKeyMaterial(options.config);
  return Worker.create({
    connection: options.connection,
    namespace: options.config.temporal.namespace,
    taskQueue: options.config.temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    // Same codec as the API's client: every payload is encrypted before it reaches Temporal.
    dataConverter: { payloadCodecs: [createPayloadCodec(dataKeyring)] },
    activities: createWorkerActivities(options.db, options.config, options.walletServers ?? createConfiguredWalletServerClient(options.config), dataKeyring),
  });
}
