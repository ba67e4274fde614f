import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createReconciliationActivities } from '../activities/reconciliation-activities';
import { createVerificationWorkflows } from '../clients/verification-workflows';
import { createIdempotencyRepository } from '../store/idempotency';
import { createRepairLog } from '../store/reconciliation-repairs';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { createVerificationActivities } from '../activities/verification-activities';
import { temporalTlsOptions } from '../clients/temporal';
import type { AppConfig } from '../config/config';
import { loadCredentialCatalogue, loadEvaluators, verificationWorkflowSettings } from '../config/verification';
import { createEvaluatorPorts } from '../activities/evaluator-ports';
import { createVerificationDataRepository } from '../store/verification-data';
import { cacheTenantLookups, createTenantRepository } from '../store/tenants';
import { createReviewCaseRepository } from '../store/review-cases';
import type { WalletServerClient } from '../clients/wallet-server-client';
import { createConfiguredWalletServerClient, loadIssuerKeyMaterial } from '../config/components';
import type { DataKeyring } from '../crypto/data-encryption';
import { createPayloadCodec } from '../crypto/temporal-payload-codec';
import { createVerificationSessionRepository } from '../store/verification-sessions';

/** Logged by workers/main.ts once the worker polls; dev/start.ts waits for it. */
export const workerReadyMessage = 'worker running';

export function createWorkerActivities(db: Db, config: AppConfig, walletServers: WalletServerClient, dataKeyring: DataKeyring, temporal: Client) {
  const sessions = createVerificationSessionRepository(db);
  const verificationData = createVerificationDataRepository(db, dataKeyring);
  const reviewCases = createReviewCaseRepository(db);
  return {
    ...createVerificationActivities({
      sessions,
      verificationData,
      // Notifications read the tenant's URL; a re-registration is seen within a minute.
      tenants: cacheTenantLookups(createTenantRepository(db), 60_000),
      evaluators: loadEvaluators(config.verification, createEvaluatorPorts(db)),
      catalogue: loadCredentialCatalogue(config.verification),
      walletServers,
      reviewCases,
      retryAfterCeilingMs: config.outbound.retryAfterCeilingMs,
    }),
    ...createReconciliationActivities({
      idempotency: createIdempotencyRepository(db, { retentionMs: config.api.idempotencyRetentionMs, leaseMs: config.api.idempotencyLeaseMs }),
      sessions,
      verificationData,
      reviewCases,
      workflows: createVerificationWorkflows(temporal, config.temporal.taskQueue, config.temporal.outboundTaskQueue),
      repairs: createRepairLog(db),
      verificationSettings: verificationWorkflowSettings(config),
    }),
  };
}

export async function connectWorkerConnection(config: AppConfig['temporal']): Promise<NativeConnection> {
  const tls = temporalTlsOptions(config);
  return NativeConnection.connect({ address: config.address, ...(tls ? { tls } : {}) });
}

/** The issuer's two Temporal workers, run and stopped together. */
export interface IssuerWorker {
  /** Runs until shutdown(); if one worker fails, the other is stopped and the failure thrown. */
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * The issuer's workers (docs/architecture.md §Outbound calls):
 * - on `temporal.taskQueue`, the workflows and every activity (also notifications of workflows
 *   started before the outbound task queue existed);
 * - on `temporal.outboundTaskQueue`, calls to Wallet Servers only, with `outbound.maxConcurrentCalls`
 *   slots, so Wallet Servers that are slow or down never take the slots evaluations need.
 */
export async function createIssuerWorker(options: {
  connection: NativeConnection;
  config: AppConfig;
  db: Db;
  logger?: Logger;
  /** Outbound client for Wallet Server notifications; built from configuration when absent. */
  walletServers?: WalletServerClient;
  /** The worker's own Temporal client, for reconciliation's starts and queries. */
  temporal: Client;
}): Promise<IssuerWorker> {
  const { config } = options;
  const { dataKeyring } = loadIssuerKeyMaterial(config);
  const walletServers = options.walletServers ?? createConfiguredWalletServerClient(config);
  const activities = createWorkerActivities(options.db, config, walletServers, dataKeyring, options.temporal);
  // Same codec as the API's client: every payload is encrypted before it reaches Temporal.
  const dataConverter = { payloadCodecs: [createPayloadCodec(dataKeyring)] };
  const common = { connection: options.connection, namespace: config.temporal.namespace, dataConverter };
  const workers = [
    await Worker.create({
      ...common,
      taskQueue: config.temporal.taskQueue,
      workflowsPath: require.resolve('../workflows'),
      activities,
      ...(config.worker.maxConcurrentActivities ? { maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities } : {}),
    }),
    await Worker.create({
      ...common,
      taskQueue: config.temporal.outboundTaskQueue,
      activities: { notifyWalletServer: activities.notifyWalletServer },
      maxConcurrentActivityTaskExecutions: config.outbound.maxConcurrentCalls,
    }),
  ];
  const shutdown = () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };

  return {
    shutdown,
    async run() {
      const runs = workers.map((worker) => worker.run());
      try {
        await Promise.all(runs);
      } catch (error) {
        shutdown();
        await Promise.allSettled(runs);
        throw error;
      } finally {
        if (!options.walletServers) walletServers.close();
      }
    },
  };
}
