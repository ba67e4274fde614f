import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';
import { openRecord, sealRecord, type DataKeyring, type EncryptedEnvelope } from '../crypto/data-encryption';
import type { ProvenCredentialRequest } from '../domain/schemas/credential';
import { collections, deleteExpiredDocuments, isDuplicateKeyError } from './mongo';

/** A verified get as issuance reads it: the proven keys and the metadata version the wallet holds. */
export type StoredCredentialRequest = ProvenCredentialRequest & { currentCredentialMetadataVersion?: string };

/**
 * Verified get requests (S2S §Get Credential), kept so the CredentialLifecycleWorkflow is handed a
 * reference, never keys. Device keys identify a device, so the request is sealed with the data
 * keyring like other personal data (profile §15), its ref and tenant the authenticated identity.
 * Kept for `ttlMs` (a day by default), then swept.
 */
interface CredentialRequestDocument {
  _id: string;
  tenantId: string;
  sealed: EncryptedEnvelope;
  createdAt: Date;
  expiresAt: Date;
}

const identity = (ref: string, tenantId: string) => `${collections.credentialRequests}|${ref}|${tenantId}`;

export function createCredentialRequestStore(db: Db, keyring: DataKeyring, options: { ttlMs?: number; clock?: () => Date } = {}) {
  const ttlMs = options.ttlMs ?? 24 * 3_600_000;
  const clock = options.clock ?? (() => new Date());
  const requests = db.collection<CredentialRequestDocument>(collections.credentialRequests);
  return {
    /**
     * Stores a verified request; the ref is derived from the tenant and the x-request-id, so a get
     * retried after a crash stores once and names the same ref (the first copy is kept).
     */
    async save(tenantId: string, requestId: string, request: StoredCredentialRequest): Promise<string> {
      const ref = createHash('sha256').update(`credential-request\u0000${tenantId}\u0000${requestId}`).digest('base64url');
      const kept: StoredCredentialRequest = {
        walletEncryptionKey: request.walletEncryptionKey,
        presentmentKeys: request.presentmentKeys,
        ...(request.currentCredentialMetadataVersion === undefined ? {} : { currentCredentialMetadataVersion: request.currentCredentialMetadataVersion }),
      };
      const now = clock();
      try {
        await requests.insertOne({
          _id: ref,
          tenantId,
          sealed: sealRecord(keyring, Buffer.from(JSON.stringify(kept), 'utf8'), identity(ref, tenantId)),
          createdAt: now,
          expiresAt: new Date(now.getTime() + ttlMs),
        });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      return ref;
    },

    /** The request and its tenant; null when unknown or expired. */
    async load(ref: string): Promise<(StoredCredentialRequest & { tenantId: string }) | null> {
      const document = await requests.findOne({ _id: ref });
      if (!document || document.expiresAt <= clock()) return null;
      const request = JSON.parse(openRecord(keyring, document.sealed, identity(ref, document.tenantId)).toString('utf8')) as StoredCredentialRequest;
      return { ...request, tenantId: document.tenantId };
    },

    /** Deletes up to `limit` expired requests; returns how many. */
    async deleteExpired(limit = 1000, now = clock()): Promise<number> {
      return deleteExpiredDocuments(requests, now, limit);
    },
  };
}
export type CredentialRequestStore = ReturnType<typeof createCredentialRequestStore>;
