import type { Db } from 'mongodb';
import { collections, isDuplicateKeyError } from './mongo';

/** The response stored for replay (S2S §Idempotency: "return the original response"). */
export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

interface IdempotencyRecord {
  /** tenantId/requestId: the primary key makes one execution per (tenant, x-request-id). */
  _id: string;
  tenantId: string;
  requestId: string;
  /** SHA-256 of method, path and canonical body: a reused id with another request is refused. */
  fingerprint: string;
  state: 'in_progress' | 'completed';
  response?: StoredResponse;
  createdAt: Date;
  expiresAt: Date;
}

export type IdempotencyClaim =
  | { outcome: 'claimed' }
  | { outcome: 'replay'; response: StoredResponse }
  | { outcome: 'in_progress' }
  | { outcome: 'fingerprint_mismatch' };

export interface IdempotencyKey {
  tenantId: string;
  requestId: string;
}

export function createIdempotencyRepository(db: Db, retentionMs: number) {
  const records = db.collection<IdempotencyRecord>(collections.idempotency);

  const recordId = (key: IdempotencyKey) => `${key.tenantId}/${key.requestId}`;

  async function readClaim(key: IdempotencyKey, fingerprint: string): Promise<IdempotencyClaim | null> {
    const existing = await records.findOne({ _id: recordId(key) });
    if (!existing) return null;
    if (existing.fingerprint !== fingerprint) return { outcome: 'fingerprint_mismatch' };
    if (existing.state === 'completed' && existing.response) return { outcome: 'replay', response: existing.response };
    return { outcome: 'in_progress' };
  }

  return {
    /**
     * Claims the right to execute a request. The primary key (tenant/x-request-id) makes the
     * insert the arbiter: of two concurrent requests exactly one inserts and executes.
     */
    async claim(key: IdempotencyKey, fingerprint: string): Promise<IdempotencyClaim> {
      const now = new Date();
      try {
        await records.insertOne({ _id: recordId(key), ...key, fingerprint, state: 'in_progress', createdAt: now, expiresAt: new Date(now.getTime() + retentionMs) });
        return { outcome: 'claimed' };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      // The record can vanish between the failed insert and this read if its execution was
      // abandoned; the caller then sees "in progress" and retries, which is safe.
      return (await readClaim(key, fingerprint)) ?? { outcome: 'in_progress' };
    },

    /** Polls a claim held by another request until it completes or the wait ends. */
    async awaitCompletion(key: IdempotencyKey, fingerprint: string, waitMs: number): Promise<IdempotencyClaim> {
      const until = Date.now() + waitMs;
      for (;;) {
        const claim = (await readClaim(key, fingerprint)) ?? { outcome: 'in_progress' as const };
        if (claim.outcome !== 'in_progress' || Date.now() >= until) return claim;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },

    async complete(key: IdempotencyKey, response: StoredResponse): Promise<void> {
      await records.updateOne({ _id: recordId(key) }, { $set: { state: 'completed', response } });
    },

    /** Releases a claim whose execution failed transiently, so a retry with the same id runs again. */
    async abandon(key: IdempotencyKey): Promise<void> {
      // Only the claim holder calls this, and only it could have completed the record.
      await records.deleteOne({ _id: recordId(key) });
    },

    /** Deletes records past retention. FerretDB has no TTL indexes, so a sweeper does it. */
    async sweepExpired(now = new Date()): Promise<number> {
      const result = await records.deleteMany({ expiresAt: { $lt: now } });
      return result.deletedCount;
    },
  };
}
export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;
