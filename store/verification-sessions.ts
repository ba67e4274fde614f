import type { Db } from 'mongodb';
import type { PublicJwk } from '../domain/schemas/common';
import type { VerificationDecision, VerificationStatus } from '../domain/schemas/verification';
import { collections, isDuplicateKeyError } from './mongo';

/** A tenant's sessionId: the key of everything a verification stores. */
export interface SessionKey {
  tenantId: string;
  sessionId: string;
}

/** S2S §Replay Protection: the primary key makes a sessionId single-use per tenant. */
export function sessionDocumentId(key: SessionKey): string {
  return `${key.tenantId}/${key.sessionId}`;
}

/** One verification (S2S §Identifier Model: a sessionId with the verificationId we issued). */
export interface VerificationSession {
  /** sessionDocumentId(tenantId, sessionId). */
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
  /**
   * Projection of the workflow's state, written by the recordVerificationStatus activity: every
   * status the session reached, by version, and the highest version. The current status is
   * decisions[statusVersion]; the rest is the session's status history.
   */
  decisions: Record<string, VerificationDecision>;
  statusVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export class SessionAlreadyUsedError extends Error {}

export function currentDecision(session: Pick<VerificationSession, 'decisions' | 'statusVersion'>): VerificationDecision {
  const decision = session.decisions[String(session.statusVersion)];
  if (!decision) throw new Error(`session has no status for version ${session.statusVersion}`);
  return decision;
}

export function toVerificationStatus(session: Pick<VerificationSession, 'sessionId' | 'verificationId' | 'decisions' | 'statusVersion'>): VerificationStatus {
  return { sessionId: session.sessionId, verificationId: session.verificationId, ...currentDecision(session) } as VerificationStatus;
}

export function createVerificationSessionRepository(db: Db) {
  const sessions = db.collection<VerificationSession>(collections.verificationSessions);
  return {
    /** Inserts a new session; the primary key (tenant/sessionId) makes a sessionId single-use. */
    async create(session: Omit<VerificationSession, '_id'>): Promise<void> {
      try {
        await sessions.insertOne({ _id: sessionDocumentId(session), ...session });
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new SessionAlreadyUsedError();
        throw error;
      }
    },

    /**
     * Scoped by tenant: another tenant's session is indistinguishable from a missing one.
     * Filters are on _id alone (FerretDB pushes down only those); the rest is checked here.
     */
    async find(key: SessionKey, verificationId: string): Promise<VerificationSession | null> {
      const session = await sessions.findOne({ _id: sessionDocumentId(key) });
      return session && session.tenantId === key.tenantId && session.verificationId === verificationId ? session : null;
    },

    /** The tenant's session by sessionId alone (its current verification). */
    async get(key: SessionKey): Promise<VerificationSession | null> {
      const session = await sessions.findOne({ _id: sessionDocumentId(key) });
      return session?.tenantId === key.tenantId ? session : null;
    },

    /**
     * Writes a status the workflow reached. Both operators commute: a retried or late activity
     * adds its version to the history and can never lower statusVersion, so the current status
     * is always the newest one, without a read-then-write.
     */
    async recordDecision(key: SessionKey, verificationId: string, decision: VerificationDecision, statusVersion: number): Promise<void> {
      const result = await sessions.updateOne(
        { _id: sessionDocumentId(key) },
        { $set: { [`decisions.${statusVersion}`]: decision }, $max: { statusVersion, updatedAt: new Date() } },
      );
      if (result.matchedCount === 0) throw new Error(`verification ${verificationId} has no session record`);
    },

    /** Removes a session whose workflow never started, so nothing half-written remains. */
    async remove(key: SessionKey): Promise<void> {
      await sessions.deleteOne({ _id: sessionDocumentId(key) });
    },
  };
}
export type VerificationSessionRepository = ReturnType<typeof createVerificationSessionRepository>;
