import type { Client, Connection } from '@temporalio/client';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { createTemporalClient } from '../clients/temporal/connection';
import { createVerificationWorkflows } from '../clients/temporal/verification-workflows';
import { createCredentialLifecycleWorkflows } from '../clients/temporal/credential-lifecycle-workflows';
import { createCredentialLifecycleBatches, type CredentialLifecycleBatches } from '../clients/temporal/credential-lifecycle-batches';
import { derivedUuid } from '../crypto/derived-uuid';
import { loadKeyAttestationTrust, untrustedAttestationIssuers } from '../crypto/key-attestation';
import { createSessionHolderRepository } from '../store/session-holders';
import { createCredentialInstanceRepository } from '../store/credential-instances';
import { createCredentialMetadataVersionRepository } from '../store/credential-metadata-versions';
import { createCredentialNonceStore } from '../store/credential-nonces';
import { createCredentialRequestStore } from '../store/credential-requests';
import { createCredentialDeliveryStore } from '../store/credential-deliveries';
import { instanceLifecycles } from './credential-lifecycles';
import type { AppConfig } from '../config/config';
import { readCredentialCatalogue, verificationWorkflowSettings } from '../config/verification';
import { loadCredentialSigningKeyMaterial, loadIssuerKeyMaterial } from '../crypto/key-material';
import { createMessageProofs } from '../crypto/message-proof';
import { createPayloadCodec } from '../crypto/temporal-payload-codec';
import { createCredentialCatalogue, isIssuableConfiguration } from '../domain/credential-configurations';
import { describeCredentialMetadata } from '../crypto/credential-metadata-version';
import { describeSupportedVerificationTypes } from '../domain/verification-types/supported';
import { createCredentialOfferRepository } from '../store/credential-offers';
import { createIdempotencyRepository } from '../store/idempotency';
import { createIssuerAuthenticationRepository } from '../store/issuer-authentications';
import { createOneTimeCodeRepository } from '../store/one-time-codes';
import { createReviewCaseRepository } from '../store/review-cases';
import { createTenantRepository } from '../store/tenants';
import { createOpenVerificationRepository } from '../store/open-verifications';
import { createVerificationDataRepository } from '../store/verification-data';
import { createVerificationSessionRepository } from '../store/verification-sessions';
import { createAdminAuditRepository } from '../store/admin-audit';
import { createProviderRequestRepository } from '../store/provider-requests';
import type { AdminDeps } from './admin/app';
import { openAdminCredentialStore } from './admin/admin-credentials';
import { createAuthenticationThrottle } from './admin/authentication-throttle';
import type { ApiDeps } from './app';
import { crashAfter } from './fault-injection';
import { createStatusListStore, type StatusListStore } from '../store/status-lists';
import type { StatusListAppDeps } from './status-lists/app';
import { statusListUri } from '../domain/status-lists/status-list';
import { createStatusListPublisher } from './status-lists/status-list-publisher';
import { createContentDelivery } from './content/content-delivery';
import { databaseProbe, temporalProbe } from '../observability/health';
import { createConsoleSessionStore } from '../store/console-sessions';

/** What the API process connects to before it is composed (api/main.ts, the test harness). */
export interface ApiConnections {
  db: Db;
  temporal: Connection;
  logger: Logger;
  /** Times review claims: the system clock unless a test moves its own. */
  reviewClock?: () => Date;
  /** Workflow calls carry the request's trace (observability/tracing.ts). */
  traced?: boolean;
}

export interface ApiComponents {
  /** The Issuer API's (api/app.ts). */
  api: ApiDeps;
  /** The admin listener's (api/admin/app.ts): it shares the API's repositories and workflow client. */
  admin: AdminDeps;
  /** The Temporal client behind both; its payloads pass through the PayloadCodec. */
  temporal: Client;
  /** The public status list listener's (api/status-lists/app.ts), and the store it publishes. */
  statusLists: StatusListAppDeps & { store: StatusListStore };
}

/**
 * The API process's composition root: configuration in, wired components out. The only place
 * the Issuer API's and the admin listener's repositories and Temporal client are built.
 */
export function composeIssuerApi(config: AppConfig, connections: ApiConnections): ApiComponents {
  const { db, logger } = connections;
  const { issuerKeys, dataKeyring, otpKeyring } = loadIssuerKeyMaterial(config);
  const temporal = createTemporalClient(connections.temporal, config.temporal, createPayloadCodec(dataKeyring), connections.traced ?? false);
  const credentialNonces = createCredentialNonceStore(db, dataKeyring);
  const catalogue = createCredentialCatalogue(readCredentialCatalogue(config.verification));
  const attestationTrust = loadKeyAttestationTrust(config.verification);
  // A configuration that requires key attestations from an attester without trust anchors could never issue.
  const untrusted = untrustedAttestationIssuers([...catalogue.values()].filter(isIssuableConfiguration), attestationTrust);
  if (untrusted.length > 0) {
    throw new Error(`key attestations are required from ${untrusted.join(', ')}, which S2S_KEY_ATTESTATION_TRUST_FILE does not list (profile §25)`);
  }
  // Gets carry the API's proof of origin, like verdicts: the workflow issues only for this API.
  const lifecycleWorkflows = createCredentialLifecycleWorkflows(temporal, {
    taskQueue: config.temporal.taskQueue,
    outboundTaskQueue: config.temporal.outboundTaskQueue,
    proofs: createMessageProofs(dataKeyring),
  });
  const lifecycles = instanceLifecycles(lifecycleWorkflows, {
    deferredPollMs: config.credentialIssuance.deferredPollMs,
    provisioningFailureLimit: config.credentialIssuance.provisioningFailuresBeforeCancel,
  });
  // /readyz on every listener: the API can do its work when both answer.
  const probes = { database: databaseProbe(db), temporal: temporalProbe(connections.temporal) };
  const api: ApiDeps = {
    logger,
    probes,
    tenants: createTenantRepository(db),
    tenantCacheMs: config.api.tenantCacheMs,
    idempotency: createIdempotencyRepository(db, { retentionMs: config.api.idempotencyRetentionMs, leaseMs: config.api.idempotencyLeaseMs }),
    crashAfter: crashAfter(config.api.crashAfter),
    serverTiming: config.api.serverTiming,
    sessions: createVerificationSessionRepository(db),
    verificationData: createVerificationDataRepository(db, dataKeyring),
    catalogue,
    verificationTypes: describeSupportedVerificationTypes(config.verification),
    issuerKeys,
    // Verdicts are signed with the API's key, so the workflow knows they come from here.
    workflows: createVerificationWorkflows(temporal, config.temporal.taskQueue, config.temporal.outboundTaskQueue, createMessageProofs(dataKeyring)),
    bodyLimitBytes: config.api.bodyLimitBytes,
    quotas: config.quotas,
    openVerifications: createOpenVerificationRepository(db),
    clientPayloadIatWindowMs: config.api.clientPayloadIatWindowMs,
    // Downloads are served by this listener, so their URLs start with its public URL.
    contentDelivery: createContentDelivery(db, { baseUrl: config.api.publicUrl, ...config.contentReference }),
    ...verificationWorkflowSettings(config),
    credentialIssuer: config.api.publicUrl,
    sessionHolders: createSessionHolderRepository(db),
    credentialInstances: createCredentialInstanceRepository(db),
    credentialMetadataVersions: createCredentialMetadataVersionRepository(db),
    credentialNonces,
    credentialRequests: createCredentialRequestStore(db, dataKeyring, { ttlMs: config.credentialIssuance.requestTtlMs }),
    credentialDeliveries: createCredentialDeliveryStore(db, { ttlMs: config.credentialIssuance.deliveryTtlMs }),
    lifecycle: lifecycles,
    credentialIssuance: lifecycles,
    credentialLifecycle: lifecycles,
    walletEvents: lifecycles,
    credentialRequestChecks: {
      issuerKeys,
      // The `aud` of every key proof: the credential_issuer of the issuer metadata (OpenID4VCI Appendix F.1).
      credentialIssuer: config.api.publicUrl,
      iatWindowMs: config.api.clientPayloadIatWindowMs,
      attestationTrust,
      nonces: credentialNonces,
    },
    pendingRetryAfterSeconds: Math.ceil(config.credentialIssuance.deferredPollMs / 1000),
  };
  const admin: AdminDeps = {
    logger,
    probes,
    reviewCases: createReviewCaseRepository(db, connections.reviewClock),
    verificationData: api.verificationData,
    workflows: api.workflows,
    credentials: openAdminCredentialStore({
      file: config.admin.tokensFile,
      recheckMs: config.admin.credentialsRecheckMs,
      onReloadFailure: (error) =>
        logger.warn({ err: error as Error }, 'admin credentials file changed but could not be loaded; the previous credentials stay in force'),
    }),
    authenticationThrottle: createAuthenticationThrottle({ maxFailures: config.admin.authFailureLimit, windowMs: config.admin.authFailureWindowMs }),
    adminAudit: createAdminAuditRepository(db),
    providerRequests: createProviderRequestRepository(db),
    claimMs: config.admin.claimMs,
    offers: createCredentialOfferRepository(db),
    oneTimeCodes: createOneTimeCodeRepository(db, otpKeyring),
    authentications: createIssuerAuthenticationRepository(db),
    sessions: api.sessions,
    catalogue: api.catalogue,
    issuerUrl: config.api.publicUrl,
    credentialInstances: api.credentialInstances,
    lifecycle: lifecycleWorkflows,
    lifecycleBatches: createCredentialLifecycleBatches(temporal, { taskQueue: config.temporal.taskQueue }),
    tenants: createTenantRepository(db),
    consoleSessions: createConsoleSessionStore(db, config.console),
  };
  const statusListStore = createStatusListStore(db);
  const statusLists = {
    logger,
    store: statusListStore,
    ttlSeconds: config.statusLists.ttlSeconds,
    publisher: createStatusListPublisher({
      store: statusListStore,
      // The credentials' own active signing key: a Relying Party checks a list through the same
      // certificate chain (x5c / x5chain) as the credentials that point to it.
      signer: loadCredentialSigningKeyMaterial(config).active,
      listUri: (listId) => statusListUri(config.statusLists.publicUrl, listId),
      ttlSeconds: config.statusLists.ttlSeconds,
      validitySeconds: config.statusLists.validitySeconds,
    }),
  };
  return { api, admin, temporal, statusLists };
}

/**
 * Records the credential metadata this process serves (profile §27, Metadata versioning), so
 * that /credential/metadata still answers a version after the display data changed. Run at start.
 * A configuration whose display data changed gets a batch that tells each of its instances
 * (DISPLAY_DATA_UPDATED, profile §29), named by configuration and version: API processes that
 * start together start one batch.
 */
export async function recordServedCredentialMetadata(
  api: Pick<ApiDeps, 'catalogue' | 'credentialMetadataVersions'>,
  batches: Pick<CredentialLifecycleBatches, 'start'>,
): Promise<void> {
  const changed = await api.credentialMetadataVersions.record([...api.catalogue.values()].filter(isIssuableConfiguration).map(describeCredentialMetadata));
  for (const { credentialConfigurationId, credentialMetadataVersion } of changed) {
    await batches.start({
      batchId: derivedUuid('display-data-updated', credentialConfigurationId, credentialMetadataVersion),
      credentialConfigurationId,
      credentialMetadataVersion,
      pageSize: 100,
    });
  }
}
