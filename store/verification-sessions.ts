import type { Db } from 'mongodb';
import type { PublicJwk } from '../domain/schemas/common';
import type { VerificationDecision, VerificationStatus } from '../domain/schemas/verification';
import { collections, isDuplicateKeyError } from './mongo';

/** One verification (S2S §Identifier Model: a sessionId with the verificationId we issued). */
export interface VerificationSession {
  _id: string;
  tenantId: string;
  sessionId: string;
  verificationId: string;
  workflowId: string;
  credentialConfigurationIds: string[];
  /** The Wallet Signing Key established for this session (S2S §Session Establishment). */
  walletSigningKey: PublicJwk;
  requestedDeviceCount: number;
  supportedVerificationTypes?: string[];
  locale?: string;
  /** Projection of the workflow's state, written by the recordVerificationStatus activity. */
  decision: VerificationDecision;
  statusVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export class SessionAlreadyUsedError extends Error {}

export function toVerificationStatus(session: Pick<VerificationSession, 'sessionId' | 'verificationId' | 'decision'>): VerificationStatus {
  return { sessionId: session.sessionId, verificationId: session.verificationId, ...session.decision } as VerificationStatus;
}

export function createVerificationSessionRepository(db: Db) {
  const sessions = db.collection<VerificationSession>(collections.verificationSessions);
  return {
    /** Inserts a new session; the unique (tenantId, sessionId) index makes a sessionId single-use. */
    async create(session: VerificationSession): Promise<void> {
      try {
        await sessions.insertOne(session);
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new SessionAlreadyUsedError();
        throw error;
      }
    },

    /** Scoped by tenant: another tenant's session is indistinguishable from a missing one. */
    find(tenantId: string, sessionId: string, verificationId: string): Promise<VerificationSession | null> {
      return sessions.findOne({ tenantId, sessionId, verificationId });
    },

    findByVerificationId(tenantId: string, verificationId: string): Promise<VerificationSession | null> {
      return sessions.findOne({ _id: verificationId, tenantId });
    },

    /**
     * Writes a status the workflow reached. statusVersion only grows, so a retried or
     * reordered activity never overwrites a newer status with an older one.
     */
    async recordDecision(tenantId: string, verificationId: string, decision: VerificationDecision, statusVersion: number): Promise<void> {
      await sessions.updateOne(
        { _id: verificationId, tenantId, statusVersion: { $lt: statusVersion } },
        { $set: { decision, statusVersion, updatedAt: new Date() } },
      );
    },

    /** Removes a session whose workflow never started, so nothing half-written remains. */
    async remove(tenantId: string, verificationId: string): Promise<void> {
      await sessions.deleteOne({ _id: verificationId, tenantId });
    },
  };
}
export type VerificationSessionRepository = ReturnType<typeof createVerificationSessionRepository>;
