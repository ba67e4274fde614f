import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import type { VerificationDataResponse } from '../domain/schemas/verification';
import { collections } from './mongo';

/**
 * Verification data submitted for a session. It may hold personal data, so it lives only
 * here; workflows receive the document id (a reference), never the data itself.
 */
interface VerificationDataRecord {
  _id: string;
  tenantId: string;
  sessionId: string;
  verificationId: string;
  data: VerificationDataResponse;
  receivedAt: Date;
}

export function createVerificationDataRepository(db: Db) {
  const records = db.collection<VerificationDataRecord>(collections.verificationData);
  return {
    async save(owner: { tenantId: string; sessionId: string; verificationId: string }, data: VerificationDataResponse): Promise<string> {
      const id = randomUUID();
      await records.insertOne({ _id: id, ...owner, data, receivedAt: new Date() });
      return id;
    },

    async load(tenantId: string, id: string): Promise<VerificationDataResponse | null> {
      const record = await records.findOne({ _id: id });
      return record?.tenantId === tenantId ? record.data : null;
    },

    async remove(id: string): Promise<void> {
      await records.deleteOne({ _id: id });
    },
  };
}
export type VerificationDataRepository = ReturnType<typeof createVerificationDataRepository>;
