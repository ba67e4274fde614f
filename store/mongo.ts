import {
  type Collection,
  type Db,
  type Document,
  type Filter,
  MongoBulkWriteError,
  MongoClient,
  MongoServerError,
  type OptionalUnlessRequiredId,
} from 'mongodb';

/**
 * MongoDB access. The same code runs against real MongoDB (docker-compose) and FerretDB
 * (the embedded stack), so it uses only what both support: no transactions, no partial
 * indexes, no $lookup, and TTL indexes only through createExpiryIndex, which falls back to a
 * sweep (see docs/architecture.md §Storage).
 */
export async function connectMongo(uri: string, database: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 50 });
  await client.connect();
  return { client, db: client.db(database) };
}

export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/**
 * Inserts `documents` in one unordered insert where each one's `_id` decides (first insert wins):
 * the positions of those that lost to a document already there. Any other failure is thrown.
 * One round trip instead of one per document.
 */
export async function insertFirstWins<T extends Document>(collection: Collection<T>, documents: readonly OptionalUnlessRequiredId<T>[]): Promise<Set<number>> {
  if (documents.length === 0) return new Set();
  try {
    await collection.insertMany([...documents], { ordered: false });
    return new Set();
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) throw error;
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== 11000)) throw error;
    return new Set(writeErrors.map((e) => e.index));
  }
}

/**
 * Point lookups go by _id: FerretDB's SQLite backend pushes only _id filters down to its
 * storage (others scan), and on MongoDB the _id index is the one every document has.
 */
export const collections = {
  tenants: 'wallet_servers',
  tenantCertificates: 'wallet_server_certificates',
  idempotency: 'idempotency_records',
  idempotencyTakeovers: 'idempotency_takeovers',
  verificationSessions: 'verification_sessions',
  verificationData: 'verification_data',
  reviewCases: 'review_cases',
  reviewAudit: 'review_audit',
  credentialOffers: 'credential_offers',
  offerRedemptions: 'credential_offer_redemptions',
  reverifications: 'reverifications',
  reviewClaims: 'review_claims',
  reviewDecisions: 'review_decisions',
  oneTimeCodes: 'one_time_codes',
  oneTimeCodeAttempts: 'one_time_code_attempts',
  oneTimeCodeUses: 'one_time_code_uses',
  issuerAuthentications: 'issuer_authentications',
  issuerAuthenticationCompletions: 'issuer_authentication_completions',
  deviceMigrations: 'device_migrations',
  reconciliationRepairs: 'reconciliation_repairs',
  sweepCursors: 'sweep_cursors',
  consoleSessions: 'console_sessions',
  openVerifications: 'open_verifications',
  adminAudit: 'admin_audit',
  providerRequests: 'provider_requests',
  issuerHolders: 'issuer_holders',
  sessionHolders: 'session_holders',
  statusLists: 'status_lists',
  statusListEntries: 'status_list_entries',
  statusListAssignments: 'status_list_assignments',
  statusListStatuses: 'status_list_statuses',
  statusListChanges: 'status_list_changes',
  statusListSnapshots: 'status_list_snapshots',
  credentialInstances: 'credential_instances',
  credentialDevices: 'credential_devices',
  credentialMetadataVersions: 'credential_metadata_versions',
  credentialNonceUses: 'credential_nonce_uses',
  contentDownloads: 'content_downloads',
  contentDownloadChunks: 'content_download_chunks',
  credentialRequests: 'credential_requests',
  issuedCredentials: 'issued_credentials',
  credentialDeliveries: 'credential_deliveries',
} as const;

/** MongoDB's error code for a feature the server lacks (FerretDB answers it to `expireAfterSeconds`). */
const notImplemented = 238;

/**
 * An index on `field` that, where the server has TTL indexes (MongoDB), also deletes each
 * document once `field` has passed (`expireAfterSeconds: 0`); where it has none (FerretDB), the
 * same index without expiry, and a sweep deletes instead. Readers never rely on either: the
 * TTL monitor runs about once a minute, so they compare `field` with the clock themselves.
 */
export async function createExpiryIndex(db: Db, collection: string, field: string): Promise<void> {
  try {
    await db.collection(collection).createIndex({ [field]: 1 }, { name: `${field}_ttl`, expireAfterSeconds: 0 });
  } catch (error) {
    if (!(error instanceof MongoServerError && error.code === notImplemented)) throw error;
    await db.collection(collection).createIndex({ [field]: 1 }, { name: `${field}_ttl` });
  }
}

/**
 * Deletes up to `limit` documents of `collection` whose `expiresAt` is before `at`, oldest first:
 * the sweep that stands in for a TTL index (FerretDB has none). Two steps (ids, then delete by
 * id), because FerretDB pushes only _id filters down to its backend; repeating it is harmless.
 */
export async function deleteExpiredDocuments<T extends { _id: string; expiresAt: Date }>(collection: Collection<T>, at: Date, limit: number): Promise<number> {
  const due = await collection
    .find({ expiresAt: { $lt: at } } as Filter<T>, { projection: { _id: 1 } })
    .sort({ expiresAt: 1 })
    .limit(limit)
    .toArray();
  if (due.length === 0) return 0;
  return (await collection.deleteMany({ _id: { $in: due.map((document) => document._id) } } as Filter<T>)).deletedCount;
}

/** Creates every index the repositories rely on. Idempotent; run by the API and the worker at start. */
export async function ensureIndexes(db: Db): Promise<void> {
  await Promise.all([
    // Conditional updates are not atomic on FerretDB (it has no transactions: findAndModify reads,
    // then writes), so every "first one wins" decision is an insert on _id instead:
    // wallet_server_certificates._id = certificate thumbprint, idempotency_records._id =
    // tenant/x-request-id (S2S §Idempotency), verification_sessions._id = tenant/sessionId
    // (S2S §Replay Protection). The indexes below serve operators' and sweepers' queries.
    db.collection(collections.tenantCertificates).createIndex({ tenantId: 1 }, { name: 'tenant' }),
    db.collection(collections.idempotency).createIndex({ expiresAt: 1 }, { name: 'expires_at' }),
    // Reconciliation: executions whose lease lapsed without a retry.
    db.collection(collections.idempotency).createIndex({ state: 1, leaseUntil: 1 }, { name: 'state_lease' }),
    db.collection(collections.idempotencyTakeovers).createIndex({ at: 1 }, { name: 'at' }),
    db.collection(collections.reconciliationRepairs).createIndex({ at: 1 }, { name: 'at' }),
    db.collection(collections.verificationSessions).createIndex({ tenantId: 1, updatedAt: 1 }, { name: 'tenant_updated' }),
    // Notifications given up after the retries, for reconciliation (listUnacknowledgedNotifications).
    db.collection(collections.verificationSessions).createIndex({ notificationAbandonedAt: 1 }, { name: 'notification_abandoned' }),
    db.collection(collections.verificationData).createIndex({ tenantId: 1, sessionId: 1 }, { name: 'tenant_session' }),
    // The review queue: open cases oldest first, per tenant.
    db.collection(collections.reviewCases).createIndex({ state: 1, createdAt: 1 }, { name: 'state_created' }),
    db.collection(collections.reviewCases).createIndex({ tenantId: 1, state: 1, createdAt: 1 }, { name: 'tenant_state_created' }),
    // A verification that ends closes its open cases.
    db.collection(collections.reviewCases).createIndex({ verificationId: 1, state: 1 }, { name: 'verification_state' }),
    // Open-verification slots (profile §Quotas): by tenant for the cap, by holder to release, by age for reconciliation.
    db.collection(collections.openVerifications).createIndex({ tenantId: 1, holder: 1 }, { name: 'tenant_holder' }),
    db.collection(collections.openVerifications).createIndex({ acquiredAt: 1 }, { name: 'acquired_at' }),
    db.collection(collections.reviewAudit).createIndex({ caseId: 1, at: 1 }, { name: 'case_at' }),
    db.collection(collections.reviewClaims).createIndex({ caseId: 1, k: -1 }, { name: 'case_k' }),
    // Retention sweeps (store/retention.ts, profile §Retention): each queue by its time, oldest first.
    db.collection(collections.verificationSessions).createIndex({ evidenceHeldSince: 1 }, { name: 'evidence_held_since' }),
    db.collection(collections.verificationSessions).createIndex({ endedAt: 1 }, { name: 'ended_at' }),
    db.collection(collections.issuerAuthentications).createIndex({ tenantId: 1, sessionId: 1 }, { name: 'tenant_session' }),
    db.collection(collections.deviceMigrations).createIndex({ previousSessionKey: 1 }, { name: 'previous_session' }),
    // Session → holder: a migrated session finds the session it came from (store/session-holders.ts).
    db.collection(collections.deviceMigrations).createIndex({ tenantId: 1, newSessionId: 1 }, { name: 'tenant_new_session' }),
    db.collection(collections.sessionHolders).createIndex({ tenantId: 1, sessionId: 1 }, { name: 'tenant_session' }),
    db.collection(collections.oneTimeCodes).createIndex({ expiresAt: 1 }, { name: 'expires_at' }),
    db.collection(collections.oneTimeCodeAttempts).createIndex({ at: 1 }, { name: 'at' }),
    db.collection(collections.oneTimeCodeUses).createIndex({ at: 1 }, { name: 'at' }),
    db.collection(collections.credentialOffers).createIndex({ expiresAt: 1 }, { name: 'expires_at' }),
    db.collection(collections.providerRequests).createIndex({ tenantId: 1, verificationId: 1 }, { name: 'tenant_verification' }),
    // Who did what on the admin listener, by actor, most recent first.
    db.collection(collections.adminAudit).createIndex({ actorId: 1, at: -1 }, { name: 'actor_at' }),
    db.collection(collections.adminAudit).createIndex({ at: -1 }, { name: 'at' }),
    // The open list is the newest; a list's snapshot is built from its changed entries.
    db.collection(collections.statusLists).createIndex({ sequence: -1 }, { name: 'sequence' }),
    db.collection(collections.statusListStatuses).createIndex({ listId: 1 }, { name: 'list' }),
    // A holder's credential instances, for the back office's "records changed" (profile §25).
    db.collection(collections.credentialInstances).createIndex({ holderAccountId: 1 }, { name: 'holder' }),
    // The devices a verification was provisioned on (store/credential-instances.ts).
    db.collection(collections.credentialDevices).createIndex({ tenantId: 1, sessionId: 1, verificationId: 1 }, { name: 'tenant_session_verification' }),
    // Credential nonces and their uses are swept after expiry (store/credential-nonces.ts; no TTL indexes).
    db.collection(collections.credentialNonceUses).createIndex({ expiresAt: 1 }, { name: 'expires_at' }),
    // Contents delivered by reference (store/content-downloads.ts) live minutes: a TTL index where there is one.
    createExpiryIndex(db, collections.contentDownloads, 'expiresAt'),
    createExpiryIndex(db, collections.consoleSessions, 'expiresAt'),
    createExpiryIndex(db, collections.contentDownloadChunks, 'expiresAt'),
    // Issuance records end by time (no TTL index on FerretDB): swept by expiresAt (store/credential-*.ts).
    db.collection(collections.credentialRequests).createIndex({ expiresAt: 1 }, { name: 'expires_at' }),
    db.collection(collections.issuedCredentials).createIndex({ expiresAt: 1 }, { name: 'expires_at' }),
    db.collection(collections.issuedCredentials).createIndex({ tenantId: 1, credentialInstanceId: 1 }, { name: 'tenant_instance' }),
    db.collection(collections.credentialInstances).createIndex({ credentialConfigurationId: 1, _id: 1 }, { name: 'configuration' }),
    db.collection(collections.credentialDeliveries).createIndex({ expiresAt: 1 }, { name: 'expires_at' }),
  ]);
}
