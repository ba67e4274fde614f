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
  /** The endpoint and the session it concerns, so reconciliation can finish what a crash left. */
  path: string;
  sessionId?: string;
  state: 'in_progress' | 'completed';
  response?: StoredResponse;
  /**
   * While in progress, the executing request renews this lease; once it lapses (the process
   * died), a retry with the same x-request-id and request takes the execution over.
   */
  leaseUntil: Date;
  /** How many times the execution was taken over; each takeover is an insert (first one wins). */
  generation: number;
  createdAt: Date;
  expiresAt: Date;
}

export type IdempotencyClaim =
  | { outcome: 'claimed'; generation: number }
  | { outcome: 'replay'; response: StoredResponse }
  | { outcome: 'in_progress' }
  | { outcome: 'fingerprint_mismatch' };

export interface IdempotencyKey {
  tenantId: string;
  requestId: string;
}

/** What a request is, for its record: the fingerprint decides sameness, the rest is for operators. */
export interface RequestIdentity {
  fingerprint: string;
  path: string;
  sessionId?: string;
}

/** An execution whose lease lapsed and that no retry took over (reconciliation's input). */
export interface LapsedExecution extends IdempotencyKey, RequestIdentity {
  generation: number;
  leaseUntil: Date;
}

export interface IdempotencyOptions {
  /** How long stored responses are replayed. */
  retentionMs: number;
  /** How long an execution holds its x-request-id without renewing. */
  leaseMs: number;
  now?: () => number;
}

export function createIdempotencyRepository(db: Db, options: IdempotencyOptions) {
  const records = db.collection<IdempotencyRecord>(collections.idempotency);
  const takeovers = db.collection<{ _id: string; at: Date }>(collections.idempotencyTakeovers);
  const now = options.now ?? Date.now;

  const recordId = (key: IdempotencyKey) => `${key.tenantId}/${key.requestId}`;

  /**
   * Takes over an execution whose lease lapsed. Conditional updates are not atomic on FerretDB,
   * so the insert of the next generation's marker decides which of several retries wins.
   */
  async function takeOver(key: IdempotencyKey, from: number): Promise<IdempotencyClaim> {
    const generation = from + 1;
    try {
      await takeovers.insertOne({ _id: `${recordId(key)}#${generation}`, at: new Date(now()) });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // Another retry took this generation. If it died before renewing the lease (its marker is
      // older than a lease), the next generation is up for grabs; otherwise it is executing.
      const marker = await takeovers.findOne({ _id: `${recordId(key)}#${generation}` });
      if (marker && marker.at.getTime() + options.leaseMs <= now()) return takeOver(key, generation);
      return { outcome: 'in_progress' };
    }
    // $max commutes with the renewals of a holder that is slow rather than dead.
    await records.updateOne({ _id: recordId(key) }, { $max: { generation, leaseUntil: new Date(now() + options.leaseMs) } });
    return { outcome: 'claimed', generation };
  }

  /** A new record: in progress under a lease, or completed at once (an endpoint without effects). */
  function newRecord(
    key: IdempotencyKey,
    request: RequestIdentity,
    as: { state: 'in_progress' | 'completed'; response?: StoredResponse; leaseMs: number },
  ): IdempotencyRecord {
    const at = now();
    return {
      _id: recordId(key),
      ...key,
      fingerprint: request.fingerprint,
      path: request.path,
      ...(request.sessionId ? { sessionId: request.sessionId } : {}),
      state: as.state,
      ...(as.response ? { response: as.response } : {}),
      leaseUntil: new Date(at + as.leaseMs),
      generation: 0,
      createdAt: new Date(at),
      expiresAt: new Date(at + options.retentionMs),
    };
  }

  async function readClaim(key: IdempotencyKey, fingerprint: string): Promise<IdempotencyClaim | null> {
    const existing = await records.findOne({ _id: recordId(key) });
    if (!existing) return null;
    if (existing.fingerprint !== fingerprint) return { outcome: 'fingerprint_mismatch' };
    if (existing.state === 'completed' && existing.response) return { outcome: 'replay', response: existing.response };
    if (existing.leaseUntil.getTime() <= now()) return takeOver(key, existing.generation);
    return { outcome: 'in_progress' };
  }

  return {
    leaseMs: options.leaseMs,

    /**
     * Claims the right to execute a request. The primary key (tenant/x-request-id) makes the
     * insert the arbiter: of two concurrent requests exactly one inserts and executes. A retry
     * of a request whose execution stopped renewing its lease takes it over.
     */
    async claim(key: IdempotencyKey, request: RequestIdentity): Promise<IdempotencyClaim> {
      try {
        await records.insertOne(newRecord(key, request, { state: 'in_progress', leaseMs: options.leaseMs }));
        return { outcome: 'claimed', generation: 0 };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      // The record can vanish between the failed insert and this read (reconciliation released
      // it); the caller then sees "in progress" and retries, which is safe.
      return (await readClaim(key, request.fingerprint)) ?? { outcome: 'in_progress' };
    },

    /**
     * Waits for an execution held by another request: until it completes, its lease lapses
     * (then this request takes over), or the wait ends.
     */
    async awaitCompletion(key: IdempotencyKey, fingerprint: string, waitMs: number): Promise<IdempotencyClaim> {
      const until = now() + waitMs;
      for (;;) {
        const claim = (await readClaim(key, fingerprint)) ?? { outcome: 'in_progress' as const };
        if (claim.outcome !== 'in_progress' || now() >= until) return claim;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },

    /**
     * Stores the response of a request without effects in one insert (no claim first): of two
     * executions with the same x-request-id the first stored wins, and the other gets that one
     * to replay, so every repeat answers with the original response.
     */
    async storeReadResponse(key: IdempotencyKey, request: RequestIdentity, response: StoredResponse): Promise<{ outcome: 'stored' } | IdempotencyClaim> {
      try {
        await records.insertOne(newRecord(key, request, { state: 'completed', response, leaseMs: 0 }));
        return { outcome: 'stored' };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      return (await readClaim(key, request.fingerprint)) ?? { outcome: 'in_progress' };
    },

    /** Extends the lease of a running execution; commuting, so a late renewal never shortens it. */
    async renew(key: IdempotencyKey): Promise<void> {
      await records.updateOne({ _id: recordId(key) }, { $max: { leaseUntil: new Date(now() + options.leaseMs) } });
    },

    async complete(key: IdempotencyKey, response: StoredResponse): Promise<void> {
      await records.updateOne({ _id: recordId(key) }, { $set: { state: 'completed', response } });
    },

    /**
     * Ends the lease of an execution that failed transiently (5xx): nothing is stored, and the
     * next retry with the same x-request-id and request executes again at once.
     */
    async release(key: IdempotencyKey): Promise<void> {
      // Only the holder releases, and it has not completed the record.
      await records.updateOne({ _id: recordId(key) }, { $set: { leaseUntil: new Date(0) } });
    },

    /** Executions whose lease lapsed before `before` and that no retry took over (oldest first). */
    async listLapsed(before: Date, limit: number): Promise<LapsedExecution[]> {
      const lapsed = await records
        .find({ state: 'in_progress', leaseUntil: { $lt: before } })
        .sort({ leaseUntil: 1 })
        .limit(limit)
        .toArray();
      return lapsed.map(({ tenantId, requestId, fingerprint, path, sessionId, generation, leaseUntil }) => ({
        tenantId,
        requestId,
        fingerprint,
        path,
        ...(sessionId ? { sessionId } : {}),
        generation,
        leaseUntil,
      }));
    },

    /**
     * Takes over a lapsed execution on behalf of reconciliation (same arbiter as a retry), so
     * that a retry arriving meanwhile and the repair never both act.
     */
    async takeOverLapsed(execution: LapsedExecution): Promise<boolean> {
      return (await takeOver(execution, execution.generation)).outcome === 'claimed';
    },

    /** Forgets an execution, so that the next request with this x-request-id executes afresh. */
    async forget(key: IdempotencyKey): Promise<void> {
      await records.deleteOne({ _id: recordId(key) });
    },

    /**
     * Deletes up to `limit` records past retention (profile §3 and §Retention), oldest first, and
     * as many takeover markers. FerretDB has no TTL indexes, so the retention Schedule does it.
     */
    async sweepExpired(at = new Date(now()), limit = 1000): Promise<number> {
      const expired = await records
        .find({ expiresAt: { $lt: at } }, { projection: { _id: 1 } })
        .sort({ expiresAt: 1 })
        .limit(limit)
        .toArray();
      const result = expired.length > 0 ? await records.deleteMany({ _id: { $in: expired.map((r) => r._id) } }) : { deletedCount: 0 };
      const before = new Date(at.getTime() - options.retentionMs);
      const markers = await takeovers
        .find({ at: { $lt: before } }, { projection: { _id: 1 } })
        .sort({ at: 1 })
        .limit(limit)
        .toArray();
      if (markers.length > 0) await takeovers.deleteMany({ _id: { $in: markers.map((m) => m._id) } });
      return result.deletedCount;
    },
  };
}
export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;
