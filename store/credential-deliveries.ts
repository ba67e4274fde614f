import type { Db } from 'mongodb';
import { collections, deleteExpiredDocuments, isDuplicateKeyError } from './mongo';

/**
 * What a get hands back (S2S §Get Credential): the credentials as one compact JWE to the
 * request's walletEncryptionKey, and the holder data set version. The JWE is already encrypted to
 * the wallet (the issuer cannot read it), so it is stored as is, for a short time: the API reads
 * it once the Update answered `issued` (`ttlMs`, 10 minutes by default), then it is swept.
 */
export interface CredentialDelivery {
  jwe: string;
  credentialVersion: string;
}

interface DeliveryDocument extends CredentialDelivery {
  _id: string;
  tenantId: string;
  createdAt: Date;
  expiresAt: Date;
}

export function createCredentialDeliveryStore(db: Db, options: { ttlMs?: number; clock?: () => Date } = {}) {
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const clock = options.clock ?? (() => new Date());
  const deliveries = db.collection<DeliveryDocument>(collections.credentialDeliveries);
  return {
    /**
     * Keeps the delivery under `ref` (derived by the caller from the request, so a repeated
     * issuance names the same ref); the first one stored wins and is returned.
     */
    async save(tenantId: string, ref: string, delivery: CredentialDelivery): Promise<CredentialDelivery> {
      const now = clock();
      try {
        await deliveries.insertOne({
          _id: ref,
          tenantId,
          jwe: delivery.jwe,
          credentialVersion: delivery.credentialVersion,
          createdAt: now,
          expiresAt: new Date(now.getTime() + ttlMs),
        });
        return delivery;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        const first = await deliveries.findOne({ _id: ref });
        if (first?.tenantId !== tenantId) throw error;
        return { jwe: first.jwe, credentialVersion: first.credentialVersion };
      }
    },

    /** The delivery; null for another tenant's, an unknown or an expired ref (the same answer). */
    async load(tenantId: string, ref: string): Promise<CredentialDelivery | null> {
      const document = await deliveries.findOne({ _id: ref });
      if (!document || document.tenantId !== tenantId || document.expiresAt <= clock()) return null;
      return { jwe: document.jwe, credentialVersion: document.credentialVersion };
    },

    /** Deletes up to `limit` expired deliveries; returns how many. */
    async deleteExpired(limit = 1000, now = clock()): Promise<number> {
      return deleteExpiredDocuments(deliveries, now, limit);
    },
  };
}
export type CredentialDeliveryStore = ReturnType<typeof createCredentialDeliveryStore>;
