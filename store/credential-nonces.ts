import { createHash, randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { collections, deleteExpiredDocuments, isDuplicateKeyError } from './mongo';

/**
 * Issuer nonces for the key proofs of a get (profile §25; the S2S form of OpenID4VCI 1.0 §7
 * Nonce Endpoint and §13.3 "Proof replay"). A nonce is 256 random bits, belongs to one
 * credential instance of one tenant, expires after `ttlMs` and admits one get request.
 *
 * Only the SHA-256 of a nonce is stored (the `_id`): with 256 random bits a plain hash cannot be
 * reversed, and whoever reads the database cannot present a live nonce.
 *
 * Single use is an insert on `_id` into `credential_nonce_uses`, not a conditional update: on
 * FerretDB a findAndModify reads and then writes (no transactions), so only the unique `_id`
 * decides between two concurrent requests (store/mongo.ts). The use records the request that
 * took the nonce, so that the same request executed again (a retry after a crash, profile §3)
 * is accepted once more and any other request is not.
 *
 * Expired records are deleted by `sweepExpired` (an `expiresAt` index serves it): FerretDB has no
 * TTL indexes (store/mongo.ts), so cleanup is a bounded sweep like the idempotency records'.
 */
interface CredentialNonceRecord {
  /** base64url SHA-256 of the nonce. */
  _id: string;
  tenantId: string;
  credentialInstanceId: string;
  expiresAt: Date;
  createdAt: Date;
}

interface CredentialNonceUse {
  /** The nonce record's _id: one use per nonce. */
  _id: string;
  requestId: string;
  at: Date;
  /** The nonce's expiry, so that a use is swept with its nonce. */
  expiresAt: Date;
}

export type CredentialNonceConsumption = 'accepted' | 'unknown' | 'expired' | 'used';

export const defaultCredentialNonceTtlMs = 300_000;

const hashNonce = (nonce: string) => createHash('sha256').update(nonce, 'utf8').digest('base64url');

export function createCredentialNonceStore(db: Db, options: { ttlMs?: number; now?: () => number } = {}) {
  const ttlMs = options.ttlMs ?? defaultCredentialNonceTtlMs;
  const now = options.now ?? Date.now;
  const nonces = db.collection<CredentialNonceRecord>(collections.credentialNonces);
  const uses = db.collection<CredentialNonceUse>(collections.credentialNonceUses);

  return {
    /** A fresh nonce for one credential instance of `tenantId` (profile §25, `/credential/nonce`). */
    async issue(tenantId: string, credentialInstanceId: string): Promise<{ c_nonce: string; expiresAt: Date }> {
      const c_nonce = randomBytes(32).toString('base64url');
      const createdAt = new Date(now());
      const expiresAt = new Date(createdAt.getTime() + ttlMs);
      // 256 random bits do not collide; an insert (not an upsert) would say so if they did.
      await nonces.insertOne({ _id: hashNonce(c_nonce), tenantId, credentialInstanceId, expiresAt, createdAt });
      return { c_nonce, expiresAt };
    },

    /**
     * Uses a nonce up for the request `requestId` (its x-request-id). `unknown`: never issued,
     * swept, or issued for another tenant or instance (told apart from nothing, so a nonce
     * reveals nothing about other instances); `used`: taken by another request; `expired`: not
     * taken before its expiry. The request that took it gets `accepted` again, even after expiry.
     */
    async consume(tenantId: string, credentialInstanceId: string, nonce: string, requestId: string): Promise<CredentialNonceConsumption> {
      const id = hashNonce(nonce);
      const record = await nonces.findOne({ _id: id });
      if (!record || record.tenantId !== tenantId || record.credentialInstanceId !== credentialInstanceId) return 'unknown';
      const at = new Date(now());
      const takenBy = async () => (await uses.findOne({ _id: id }))?.requestId;
      if (record.expiresAt.getTime() <= at.getTime()) {
        // Past its expiry only the request that took it passes (its retry), as before the expiry.
        const taker = await takenBy();
        return taker === undefined ? 'expired' : taker === requestId ? 'accepted' : 'used';
      }
      // The use is taken by its insert (first one wins); a repeat finds out from the duplicate.
      try {
        await uses.insertOne({ _id: id, requestId, at, expiresAt: record.expiresAt });
        return 'accepted';
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // Taken already: by this request (a retry) or another one.
        return (await takenBy()) === requestId ? 'accepted' : 'used';
      }
    },

    /**
     * Deletes up to `limit` nonces (and their uses) that expired more than one `ttlMs` ago,
     * oldest first. The extra ttl keeps a nonce's use while a retry of its request may still come.
     */
    async sweepExpired(limit = 1000): Promise<number> {
      const before = new Date(now() - ttlMs);
      // Uses first: a use whose nonce survived a crash is found again by the next pass.
      await deleteExpiredDocuments(uses, before, limit);
      return deleteExpiredDocuments(nonces, before, limit);
    },
  };
}
export type CredentialNonceStore = ReturnType<typeof createCredentialNonceStore>;
