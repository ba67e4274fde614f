import type { Client, Connection } from '@temporalio/client';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { createTemporalClient } from '../clients/temporal/connection';
import { createVerificationWorkflows } from '../clients/temporal/verification-workflows';
import type { AppConfig } from '../config/config';
import { readCredentialCatalogue, verificationWorkflowSettings } from '../config/verification';
import { loadCredentialSigningKeyMaterial, loadIssuerKeyMaterial } from '../crypto/key-material';
import { createMessageProofs } from '../crypto/message-proof';
import { createPayloadCodec } from '../crypto/temporal-payload-codec';
import { createCredentialCatalogue } from '../domain/credential-configurations';
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

/** What the API process connects to before it is composed (api/main.ts, the test harness). */
export interface ApiConnections {
  db: Db;
  temporal: Connection;
  logger: Logger;
  /** Times review claims: the system clock unless a test moves its own. */
  reviewClock?: () => Date;
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
  const temporal = createTemporalClient(connections.temporal, config.temporal, createPayloadCodec(dataKeyring));
  const api: ApiDeps = {
    logger,
    tenants: createTenantRepository(db),
    tenantCacheMs: config.api.tenantCacheMs,
    idempotency: createIdempotencyRepository(db, { retentionMs: config.api.idempotencyRetentionMs, leaseMs: config.api.idempotencyLeaseMs }),
    crashAfter: crashAfter(config.api.crashAfter),
    serverTiming: config.api.serverTiming,
    sessions: createVerificationSessionRepository(db),
    verificationData: createVerificationDataRepository(db, dataKeyring),
    catalogue: createCredentialCatalogue(readCredentialCatalogue(config.verification)),
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
  };
  const admin: AdminDeps = {
    logger,
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
