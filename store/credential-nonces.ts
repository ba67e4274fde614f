import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from 'mongodb';
import { derivedKeys, type DataKeyring } from '../crypto/data-encryption';
import { collections, deleteExpiredDocuments, isDuplicateKeyError } from './mongo';

/**
 * Issuer nonces for the key proofs of a get (profile §25; the S2S form of OpenID4VCI 1.0 §7
 * Nonce Endpoint and §13.3 "Proof replay"). A nonce belongs to one credential instance of one
 * tenant, expires after `ttlMs` and admits one get request.
 *
 * A nonce is self-contained and authenticated, so issuing one writes nothing: 128 random bits,
 * its expiry and the kid of the data key that authenticates it, followed by an HMAC-SHA256 (key
 * derived from that data key under its own label) over those and the tenant and instance it was
 * issued for. Only a nonce this issuer made for that tenant and instance verifies; rotating the
 * keyring keeps earlier nonces valid while their kid is configured.
 *
 * Single use is an insert on `_id` (the SHA-256 of the nonce) into `credential_nonce_uses`, not
 * a conditional update: on FerretDB a findAndModify reads and then writes (no transactions), so
 * only the unique `_id` decides between two concurrent requests (store/mongo.ts). The use records
 * the request that took the nonce, so that the same request executed again (a retry after a
 * crash, profile §3) is accepted once more and any other request is not.
 *
 * Uses are deleted by `sweepExpired` (an `expiresAt` index serves it): FerretDB has no TTL indexes
 * (store/mongo.ts), so cleanup is a bounded sweep like the idempotency records'.
 */
interface CredentialNonceUse {
  /** base64url SHA-256 of the nonce: one use per nonce. */
  _id: string;
  requestId: string;
  at: Date;
  /** The nonce's expiry, so that a use is swept once no retry of its request can come. */
  expiresAt: Date;
}

export type CredentialNonceConsumption = 'accepted' | 'unknown' | 'expired' | 'used';

export const defaultCredentialNonceTtlMs = 300_000;

const nonceVersion = 1;
const randomLength = 16;
const macLength = 32;
/** Longest nonce accepted for verification (base64url characters): a kid is at most 64 bytes. */
const maxNonceLength = Math.ceil(((1 + 8 + randomLength + 1 + 64 + macLength) * 4) / 3);

const hashNonce = (nonce: string) => createHash('sha256').update(nonce, 'utf8').digest('base64url');

export function createCredentialNonceStore(db: Db, keyring: DataKeyring, options: { ttlMs?: number; now?: () => number } = {}) {
  const ttlMs = options.ttlMs ?? defaultCredentialNonceTtlMs;
  const now = options.now ?? Date.now;
  const uses = db.collection<CredentialNonceUse>(collections.credentialNonceUses);
  const keyFor = derivedKeys(keyring, 'credential-nonce');
  const macOf = (key: Buffer, tenantId: string, credentialInstanceId: string, body: Buffer) =>
    createHmac('sha256', key).update(`${tenantId}\n${credentialInstanceId}\n`).update(body).digest();

  /** The expiry of a nonce issued for this tenant and instance, or undefined for any other string. */
  function verify(tenantId: string, credentialInstanceId: string, nonce: string): Date | undefined {
    if (nonce.length > maxNonceLength || !/^[A-Za-z0-9_-]+$/.test(nonce)) return undefined;
    const bytes = Buffer.from(nonce, 'base64url');
    const kidAt = 1 + 8 + randomLength;
    if (bytes.length <= kidAt + 1 + macLength || bytes[0] !== nonceVersion) return undefined;
    const kidLength = bytes[kidAt] as number;
    const bodyLength = kidAt + 1 + kidLength;
    if (bytes.length !== bodyLength + macLength) return undefined;
    const key = keyFor(bytes.subarray(kidAt + 1, bodyLength).toString('utf8'));
    if (!key) return undefined;
    const body = bytes.subarray(0, bodyLength);
    if (!timingSafeEqual(bytes.subarray(bodyLength), macOf(key, tenantId, credentialInstanceId, body))) return undefined;
    return new Date(Number(body.readBigUInt64BE(1)));
  }

  return {
    /** A fresh nonce for one credential instance of `tenantId` (profile §25, `/credential/nonce`). */
    issue(tenantId: string, credentialInstanceId: string): { c_nonce: string; expiresAt: Date } {
      const expiresAt = new Date(now() + ttlMs);
      const kid = Buffer.from(keyring.activeKid, 'utf8');
      if (kid.length > 64) throw new Error('the active data key id is longer than 64 bytes');
      const expiry = Buffer.alloc(8);
      expiry.writeBigUInt64BE(BigInt(expiresAt.getTime()));
      const body = Buffer.concat([Buffer.of(nonceVersion), expiry, randomBytes(randomLength), Buffer.of(kid.length), kid]);
      const mac = macOf(keyFor(keyring.activeKid) as Buffer, tenantId, credentialInstanceId, body);
      return { c_nonce: Buffer.concat([body, mac]).toString('base64url'), expiresAt };
    },

    /**
     * Uses a nonce up for the request `requestId` (its x-request-id). `unknown`: not one this
     * issuer made for this tenant and instance (told apart from nothing, so a nonce reveals
     * nothing about other instances); `used`: taken by another request; `expired`: not taken
     * before its expiry. The request that took it gets `accepted` again, even after expiry,
     * until its use is swept.
     */
    async consume(tenantId: string, credentialInstanceId: string, nonce: string, requestId: string): Promise<CredentialNonceConsumption> {
      const expiresAt = verify(tenantId, credentialInstanceId, nonce);
      if (!expiresAt) return 'unknown';
      const id = hashNonce(nonce);
      const takenBy = async () => (await uses.findOne({ _id: id }))?.requestId;
      const at = new Date(now());
      if (expiresAt.getTime() <= at.getTime()) {
        // Past its expiry only the request that took it passes (its retry), as before the expiry.
        const taker = await takenBy();
        return taker === undefined ? 'expired' : taker === requestId ? 'accepted' : 'used';
      }
      // The use is taken by its insert (first one wins); a repeat finds out from the duplicate.
      try {
        await uses.insertOne({ _id: id, requestId, at, expiresAt });
        return 'accepted';
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // Taken already: by this request (a retry) or another one.
        return (await takenBy()) === requestId ? 'accepted' : 'used';
      }
    },

    /**
     * Deletes up to `limit` uses of nonces that expired more than one `ttlMs` ago, oldest first.
     * The extra ttl keeps a nonce's use while a retry of its request may still come.
     */
    sweepExpired(limit = 1000): Promise<number> {
      return deleteExpiredDocuments(uses, new Date(now() - ttlMs), limit);
    },
  };
}
export type CredentialNonceStore = ReturnType<typeof createCredentialNonceStore>;
