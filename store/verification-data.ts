import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';
import { openRecord, sealRecord, type DataKeyring, type EncryptedEnvelope } from '../crypto/data-encryption';
import type { VerificationDataItem } from '../domain/schemas/verification';
import { collections, isDuplicateKeyError } from './mongo';

/**
 * What a Wallet Server submitted in one initiate or supplement, after verification: its own
 * items, and the items from Client Encrypted Payloads that decrypted and verified.
 */
export interface VerificationEvidence {
  serverItems: VerificationDataItem[];
  clientItems: VerificationDataItem[];
  additionalAssessments: Record<string, unknown>[];
}

/**
 * Verification data may hold personal data, so it is stored only here, encrypted at rest
 * (crypto/data-encryption.ts); workflows receive the record id (a reference), never the data.
 */
interface VerificationDataRecord {
  _id: string;
  tenantId: string;
  sessionId: string;
  verificationId: string;
  envelope: EncryptedEnvelope;
  receivedAt: Date;
}

const identity = (id: string, tenantId: string) => `verification_data|${id}|${tenantId}`;

export function createVerificationDataRepository(db: Db, keyring: DataKeyring) {
  const records = db.collection<VerificationDataRecord>(collections.verificationData);
  return {
    /**
     * The record id of the data one request carries: derived from the tenant, the x-request-id
     * and the request's fingerprint, so a retry of the same request (after a crash) names the
     * same record and another request never does.
     */
    refForRequest(tenantId: string, request: { requestId: string; fingerprint: string }): string {
      return createHash('sha256').update(`${tenantId}\u0000${request.requestId}\u0000${request.fingerprint}`).digest('base64url');
    },

    /** Stores the evidence under `id`; storing it again (a retried request) keeps the first copy. */
    async save(owner: { tenantId: string; sessionId: string; verificationId: string }, evidence: VerificationEvidence, id: string): Promise<void> {
      const envelope = sealRecord(keyring, Buffer.from(JSON.stringify(evidence), 'utf8'), identity(id, owner.tenantId));
      try {
        await records.insertOne({ _id: id, ...owner, envelope, receivedAt: new Date() });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    },

    async exists(tenantId: string, id: string): Promise<boolean> {
      const record = await records.findOne({ _id: id }, { projection: { tenantId: 1 } });
      return record?.tenantId === tenantId;
    },

    async load(tenantId: string, id: string): Promise<VerificationEvidence | null> {
      const record = await records.findOne({ _id: id });
      if (record?.tenantId !== tenantId) return null;
      return JSON.parse(openRecord(keyring, record.envelope, identity(id, tenantId)).toString('utf8')) as VerificationEvidence;
    },

    async remove(id: string): Promise<void> {
      await records.deleteOne({ _id: id });
    },
  };
}
export type VerificationDataRepository = ReturnType<typeof createVerificationDataRepository>;
