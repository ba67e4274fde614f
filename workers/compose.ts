import { readFileSync } from 'node:fs';
import type { Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Db } from 'mongodb';
import { createCredentialIssuanceActivities } from '../activities/credential-issuance-activities';
import { createCredentialStatusActivities } from '../activities/credential-status-activities';
import { createCredentialBatchActivities } from '../activities/credential-batch-activities';
import { createReconciliationActivities } from '../activities/reconciliation-activities';
import { createRetentionActivities } from '../activities/retention-activities';
import { createVerificationActivities } from '../activities/verification-activities';
import { ensureReconciliationSchedule } from '../clients/temporal/reconciliation-schedule';
import { ensureRetentionSchedule } from '../clients/temporal/retention-schedule';
import { createTemporalClient } from '../clients/temporal/connection';
import { createVerificationWorkflows } from '../clients/temporal/verification-workflows';
import { createWalletServerClient, type WalletServerClient } from '../clients/wallet-servers/wallet-server-client';
import type { AppConfig } from '../config/config';
import { readCredentialCatalogue, readTrustedIssuers, verificationWorkflowSettings } from '../config/verification';
import { createIssuerCredentialFormats } from '../crypto/credential-formats';
import { createCredentialVersioner } from '../crypto/credential-version';
import { checkSignersForFormats } from '../crypto/credential-signing-keys';
import { loadCredentialSigningKeyMaterial, loadIssuerKeyMaterial } from '../crypto/key-material';
import { createPresentationVerifier } from '../crypto/sd-jwt-vc-presentation';
import { createMessageProofs } from '../crypto/message-proof';
import { createPayloadCodec } from '../crypto/temporal-payload-codec';
import { createCredentialCatalogue, isIssuableConfiguration } from '../domain/credential-configurations';
import { createSupportedEvaluators } from '../domain/verification-types/supported';
import { statusListUri } from '../domain/status-lists/status-list';
import { createCredentialDeliveryStore } from '../store/credential-deliveries';
import { createCredentialLifecycleWorkflows } from '../clients/temporal/credential-lifecycle-workflows';
import { createCredentialInstanceRepository } from '../store/credential-instances';
import { createCredentialNonceStore } from '../store/credential-nonces';
import { createCredentialRequestStore } from '../store/credential-requests';
import { createEvaluatorPorts } from '../store/evaluator-ports';
import { createMongoIssuerDataSource } from '../store/issuer-holders';
import { createIssuedCredentialStore } from '../store/issued-credentials';
import { createStatusListStore } from '../store/status-lists';
import { createIdempotencyRepository } from '../store/idempotency';
import { createRepairLog } from '../store/reconciliation-repairs';
import { createSweepCursors } from '../store/sweep-cursors';
import { createProviderRequestRepository } from '../store/provider-requests';
import { createRetentionSweeper } from '../store/retention';
import { createContentDownloadStore } from '../store/content-downloads';
import { createReviewCaseRepository } from '../store/review-cases';
import { cacheTenantLookups, createTenantRepository } from '../store/tenants';
import { createVerificationDataRepository } from '../store/verification-data';
import { createVerificationSessionRepository } from '../store/verification-sessions';
import { createOpenVerificationRepository } from '../store/open-verifications';
import { createIssuerWorker, type IssuerWorker } from './issuer-worker';
import type { Tracing } from '../observability/tracing';
import { createConsoleSessionStore } from '../store/console-sessions';

/** What the worker process connects to before it is composed (workers/main.ts, the test harness). */
export interface WorkerConnections {
  db: Db;
  /** For the worker's own Temporal client: reconciliation's starts and queries, the Schedule. */
  temporal: Connection;
  /** What the Temporal workers poll on. */
  workerConnection: NativeConnection;
  /** When traces are exported (observability/tracing.ts). */
  tracing?: Tracing;
}

export interface WorkerComponents {
  worker: IssuerWorker;
  /**
   * Creates or updates the reconciliation Schedule (docs/architecture.md §Reconciliation);
   * absent when S2S_RECONCILE_INTERVAL_MS is 0 (a worker that does not manage it).
   */
  scheduleReconciliation?: () => Promise<void>;
  /** Creates or updates the retention Schedule (profile §Retention); absent when S2S_RETENTION_INTERVAL_MS is 0. */
  scheduleRetention?: () => Promise<void>;
}

/** Outbound mTLS to Wallet Servers with the issuer's client certificate (S2S §Server Authentication). */
function createConfiguredWalletServerClient(tls: AppConfig['walletServerTls'], outbound: AppConfig['outbound']): WalletServerClient {
  return createWalletServerClient({
    certificatePem: readFileSync(tls.certFile, 'utf8'),
    privateKeyPem: readFileSync(tls.keyFile, 'utf8'),
    ...(tls.caFile ? { caPem: readFileSync(tls.caFile, 'utf8') } : {}),
    requestTimeoutMs: outbound.requestTimeoutMs,
    maxResponseBytes: outbound.maxResponseBytes,
  });
}

/**
 * The worker process's composition root: configuration in, wired components out. The only
 * place the worker's repositories, evaluators, activities, Temporal client and outbound
 * Wallet Server client are built. A worker runs once: compose again to start another.
 */
export async function composeIssuerWorker(config: AppConfig, connections: WorkerConnections): Promise<WorkerComponents> {
  const { db } = connections;
  const { dataKeyring, otpKeyring } = loadIssuerKeyMaterial(config);
  const payloadCodec = createPayloadCodec(dataKeyring);
  const temporal = createTemporalClient(connections.temporal, config.temporal, payloadCodec, connections.tracing !== undefined);
  const walletServers = createConfiguredWalletServerClient(config.walletServerTls, config.outbound);
  const consoleSessions = createConsoleSessionStore(db, config.console);

  const sessions = createVerificationSessionRepository(db);
  const verificationData = createVerificationDataRepository(db, dataKeyring);
  const reviewCases = createReviewCaseRepository(db);
  const openVerifications = createOpenVerificationRepository(db);
  const idempotency = createIdempotencyRepository(db, { retentionMs: config.api.idempotencyRetentionMs, leaseMs: config.api.idempotencyLeaseMs });
  const { intervalMs: retentionIntervalMs, batchLimit: retentionBatchLimit, ...retentionPeriods } = config.retention;
  const catalogue = createCredentialCatalogue(readCredentialCatalogue(config.verification));
  // Profile §26: each format signs with its own active key (activeByFormat), the others with `active`.
  const signingKeys = loadCredentialSigningKeyMaterial(config);
  checkSignersForFormats(
    signingKeys,
    [...catalogue.values()].filter(isIssuableConfiguration).map((configuration) => configuration.format),
    config.keys.signingKeysFile,
  );
  const tenants = cacheTenantLookups(createTenantRepository(db), 60_000);
  const proofs = createMessageProofs(dataKeyring);
  const credentialRequests = createCredentialRequestStore(db, dataKeyring, { ttlMs: config.credentialIssuance.requestTtlMs });
  const issuedCredentials = createIssuedCredentialStore(db, dataKeyring);
  const credentialDeliveries = createCredentialDeliveryStore(db, { ttlMs: config.credentialIssuance.deliveryTtlMs });
  const credentialNonces = createCredentialNonceStore(db, dataKeyring);
  const statusLists = createStatusListStore(db);
  // Lifecycle requests from the worker (mass changes) carry the same proof of origin as the API's.
  const lifecycleWorkflows = createCredentialLifecycleWorkflows(temporal, {
    taskQueue: config.temporal.taskQueue,
    outboundTaskQueue: config.temporal.outboundTaskQueue,
    proofs,
  });
  const activities = {
    ...createVerificationActivities({
      sessions,
      verificationData,
      // Notifications read the tenant's URL; a re-registration is seen within a minute.
      tenants,
      evaluators: createSupportedEvaluators(config.verification, {
        ...createEvaluatorPorts(db, { otpKeyring }),
        presentations: createPresentationVerifier({ trusted: readTrustedIssuers(config.verification), audience: config.verification.presentationAudience }),
      }),
      catalogue,
      walletServers,
      reviewCases,
      openVerifications,
      providerRequests: createProviderRequestRepository(db),
      retryAfterCeilingMs: config.outbound.retryAfterCeilingMs,
      proofs,
    }),
    // Profile §25: issuance signs with the format's active credential signing key; statuses in the public lists.
    ...createCredentialIssuanceActivities({
      requests: credentialRequests,
      holders: createMongoIssuerDataSource(db, dataKeyring),
      configurations: catalogue,
      formats: createIssuerCredentialFormats({ issuer: config.api.publicUrl }),
      signers: signingKeys,
      statusLists,
      statusListUri: (listId) => statusListUri(config.statusLists.publicUrl, listId),
      issuedCredentials,
      deliveries: credentialDeliveries,
      credentialVersion: createCredentialVersioner(dataKeyring),
      tenants,
      walletServers,
      retryAfterCeilingMs: config.outbound.retryAfterCeilingMs,
      proofs,
    }),
    // Profile §29: a lifecycle change sets the instance's status entries and records its state.
    // Profile §29: a mass change pages through a Wallet Server's instances.
    ...createCredentialBatchActivities({ instances: createCredentialInstanceRepository(db), lifecycles: lifecycleWorkflows }),
    ...createCredentialStatusActivities({ issuedCredentials, statusLists, instances: createCredentialInstanceRepository(db), proofs }),
    ...createReconciliationActivities({
      idempotency,
      sessions,
      verificationData,
      reviewCases,
      openVerifications,
      workflows: createVerificationWorkflows(temporal, config.temporal.taskQueue, config.temporal.outboundTaskQueue),
      credentialLifecycles: lifecycleWorkflows,
      credentialInstances: createCredentialInstanceRepository(db),
      sweepCursors: createSweepCursors(db),
      tenants,
      repairs: createRepairLog(db),
      verificationSettings: verificationWorkflowSettings(config),
    }),
    ...createRetentionActivities({
      sweeper: createRetentionSweeper(db, { periods: retentionPeriods }),
      idempotency,
      contentDownloads: createContentDownloadStore(db),
      expiringRecords: [
        credentialRequests,
        credentialDeliveries,
        issuedCredentials,
        // Issuer nonces (profile §25) expire after minutes; FerretDB has no TTL indexes.
        { deleteExpired: (limit: number) => credentialNonces.sweepExpired(limit) },
        // Reviewer console sessions past their idle expiry.
        { deleteExpired: (limit: number) => consoleSessions.sweepExpired(limit) },
      ],
    }),
  };

  const worker = await createIssuerWorker({
    connection: connections.workerConnection,
    config,
    activities,
    payloadCodec,
    afterRun: () => walletServers.close(),
    ...(connections.tracing ? { tracing: connections.tracing } : {}),
  });
  const { intervalMs, ...reconciliation } = config.reconciliation;
  return {
    worker,
    ...(intervalMs > 0
      ? {
          scheduleReconciliation: () =>
            ensureReconciliationSchedule(temporal, {
              taskQueue: config.temporal.taskQueue,
              intervalMs,
              input: { ...reconciliation, outboundTaskQueue: config.temporal.outboundTaskQueue },
            }),
        }
      : {}),
    ...(retentionIntervalMs > 0
      ? {
          scheduleRetention: () =>
            ensureRetentionSchedule(temporal, {
              taskQueue: config.temporal.taskQueue,
              intervalMs: retentionIntervalMs,
              input: { batchLimit: retentionBatchLimit },
            }),
        }
      : {}),
  };
}
