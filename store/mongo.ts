import { MongoClient, MongoServerError, type Db } from 'mongodb';

/**
 * MongoDB access. The same code runs against real MongoDB (docker-compose) and FerretDB
 * (the embedded stack), so it uses only what both support: no transactions, no TTL or
 * partial indexes, no $lookup (see docs/architecture.md §Storage).
 */
export async function connectMongo(uri: string, database: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 50 });
  await client.connect();
  return { client, db: client.db(database) };
}

export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

export const collections = {
  tenants: 'wallet_servers',
  idempotency: 'idempotency_records',
  verificationSessions: 'verification_sessions',
  verificationData: 'verification_data',
} as const;

/** Creates every index the repositories rely on. Idempotent; run by the API and the worker at start. */
export async function ensureIndexes(db: Db): Promise<void> {
  await Promise.all([
    db.collection(collections.tenants).createIndex({ certThumbprint: 1 }, { unique: true, name: 'cert_thumbprint_unique' }),
    // S2S §Idempotency: one execution per (tenant, x-request-id), enforced by the index, not by read-then-write.
    db.collection(collections.idempotency).createIndex({ tenantId: 1, requestId: 1 }, { unique: true, name: 'tenant_request_unique' }),
    db.collection(collections.idempotency).createIndex({ expiresAt: 1 }, { name: 'expires_at' }),
    // S2S §Replay Protection: a sessionId is consumed once per tenant.
    db.collection(collections.verificationSessions).createIndex({ tenantId: 1, sessionId: 1 }, { unique: true, name: 'tenant_session_unique' }),
    db.collection(collections.verificationSessions).createIndex({ tenantId: 1, status: 1, updatedAt: 1 }, { name: 'tenant_status' }),
    db.collection(collections.verificationData).createIndex({ tenantId: 1, sessionId: 1 }, { name: 'tenant_session' }),
  ]);
}
