import type { Db } from 'mongodb';
import type { PublicJwk } from '../domain/schemas/common';
import type { VerificationDecision, VerificationStatus } from '../domain/schemas/verification';
import { isTerminal } from '../domain/verification-state';
import { verificationWorkflowId } from '../domain/workflow-ids';
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

/**
 * The request that started a verification (its x-request-id and fingerprint, profile §3): a
 * retry of that very request after a crash recognises its own verification instead of being
 * refused as a replay of the sessionId.
 */
export interface InitiatingRequest {
  requestId: string;
  fingerprint: string;
}

function sameRequest(a: InitiatingRequest | undefined, b: InitiatingRequest): boolean {
  return a !== undefined && a.requestId === b.requestId && a.fingerprint === b.fingerprint;
}

/** What one verification of a session asked for, and the statuses it reached. */
interface VerificationEntry {
  workflowId: string;
  initiatedBy: InitiatingRequest;
  /** The verification data sent with initiate, if any (stored before the workflow starts). */
  verificationDataRef?: string;
  credentialConfigurationIds: string[];
  requestedDeviceCount: number;
  supportedVerificationTypes?: string[];
  /**
   * Projection of the workflow's state, written by the recordVerificationStatus activity: every
   * status reached, by version, and the highest version. The current status is
   * decisions[statusVersion]; the rest is the status history.
   */
  decisions: Record<string, VerificationDecision>;
  statusVersion: number;
  startedAt: Date;
  /** The highest status version the Wallet Server acknowledged (S2S §Verification Notification). */
  notifiedStatusVersion?: number;
  /** The highest status version whose notification was given up after the retries. */
  abandonedNotificationVersion?: number;
}

/**
 * A session (S2S §Identifier Model): the Wallet Client Instance's sessionId and WSK, and its
 * verifications by verificationId. A session has one current verification; after a
 * re-verification (profile §Re-verification) the earlier ones stay readable.
 */
interface SessionDocument {
  _id: string;
  tenantId: string;
  sessionId: string;
  /** The Wallet Signing Key established for this session (S2S §Session Establishment). */
  walletSigningKey: PublicJwk;
  locale?: string;
  currentVerificationId: string;
  verifications: Record<string, VerificationEntry>;
  createdAt: Date;
  updatedAt: Date;
  /** When a notification of one of its verifications was last given up (indexed: the reconciliation query). */
  notificationAbandonedAt?: Date;
  /**
   * When the session's current verification reached a final status; absent while one is open.
   * Retention periods count from it (store/retention.ts, profile §Retention; indexed).
   */
  endedAt?: Date;
  /** The same time while the session still holds evidence; removed once it is deleted (indexed: the sweep's queue). */
  evidenceHeldSince?: Date;
}

/** One verification of a session, as callers see it. */
export interface VerificationSession extends Omit<VerificationEntry, 'startedAt'> {
  tenantId: string;
  sessionId: string;
  verificationId: string;
  walletSigningKey: PublicJwk;
  locale?: string;
  /** Whether this is the session's current verification. */
  current: boolean;
}

export type NewVerification = Omit<VerificationSession, 'current' | 'decisions' | 'statusVersion' | 'workflowId'>;

export class SessionAlreadyUsedError extends Error {}

/** The session a write names does not exist (e.g. reconciliation rolled its initiate back). */
export class SessionMissingError extends Error {}

/** A verification whose newest status the Wallet Server has not acknowledged, after a notification was given up. */
export interface UnacknowledgedNotification extends SessionKey {
  verificationId: string;
  statusVersion: number;
  /** 0 when no notification of this verification was ever acknowledged. */
  notifiedStatusVersion: number;
  abandonedAt: Date;
}

export function currentDecision(session: Pick<VerificationSession, 'decisions' | 'statusVersion'>): VerificationDecision {
  const decision = session.decisions[String(session.statusVersion)];
  if (!decision) throw new Error(`session has no status for version ${session.statusVersion}`);
  return decision;
}

export function toVerificationStatus(session: Pick<VerificationSession, 'sessionId' | 'verificationId' | 'decisions' | 'statusVersion'>): VerificationStatus {
  return { sessionId: session.sessionId, verificationId: session.verificationId, ...currentDecision(session) } as VerificationStatus;
}

function entryOf(verification: NewVerification): VerificationEntry {
  return {
    workflowId: verificationWorkflowId(verification),
    initiatedBy: verification.initiatedBy,
    ...(verification.verificationDataRef ? { verificationDataRef: verification.verificationDataRef } : {}),
    credentialConfigurationIds: verification.credentialConfigurationIds,
    requestedDeviceCount: verification.requestedDeviceCount,
    ...(verification.supportedVerificationTypes ? { supportedVerificationTypes: verification.supportedVerificationTypes } : {}),
    decisions: { '0': { status: 'PENDING' } },
    statusVersion: 0,
    startedAt: new Date(),
  };
}

function view(document: SessionDocument, verificationId: string): VerificationSession | null {
  const entry = document.verifications[verificationId];
  if (!entry) return null;
  const {
    workflowId,
    initiatedBy,
    verificationDataRef,
    credentialConfigurationIds,
    requestedDeviceCount,
    supportedVerificationTypes,
    decisions,
    statusVersion,
  } = entry;
  return {
    workflowId,
    initiatedBy,
    ...(verificationDataRef ? { verificationDataRef } : {}),
    credentialConfigurationIds,
    requestedDeviceCount,
    ...(supportedVerificationTypes ? { supportedVerificationTypes } : {}),
    decisions,
    statusVersion,
    tenantId: document.tenantId,
    sessionId: document.sessionId,
    verificationId,
    walletSigningKey: document.walletSigningKey,
    ...(document.locale ? { locale: document.locale } : {}),
    current: document.currentVerificationId === verificationId,
  };
}

export function createVerificationSessionRepository(db: Db) {
  const sessions = db.collection<SessionDocument>(collections.verificationSessions);
  const successors = db.collection<{ _id: string; verificationId: string; initiatedBy?: InitiatingRequest; at: Date }>(collections.reverifications);
  const load = async (key: SessionKey) => {
    // Filters are on _id alone (FerretDB pushes down only those); the tenant is checked here.
    const document = await sessions.findOne({ _id: sessionDocumentId(key) });
    return document?.tenantId === key.tenantId ? document : null;
  };

  /**
   * Makes the previous verification current again, removing its successor. Only a final
   * verification has a successor, so the session has ended again: from now, for retention (later
   * than it really ended, so nothing is removed early).
   */
  async function restorePrevious(key: SessionKey, previousVerificationId: string, verificationId: string): Promise<void> {
    await successors.deleteOne({ _id: `${sessionDocumentId(key)}/${previousVerificationId}` });
    const now = new Date();
    await sessions.updateOne(
      { _id: sessionDocumentId(key) },
      {
        $set: { currentVerificationId: previousVerificationId },
        $unset: { [`verifications.${verificationId}`]: '' },
        $max: { endedAt: now, evidenceHeldSince: now },
      },
    );
  }

  return {
    /**
     * Inserts a new session with its first verification and returns its verificationId; the
     * primary key makes a sessionId single-use. The request that created the session gets its
     * verificationId back when it repeats (a retry after a crash); any other request is refused.
     */
    async create(verification: NewVerification): Promise<string> {
      const now = new Date();
      try {
        await sessions.insertOne({
          _id: sessionDocumentId(verification),
          tenantId: verification.tenantId,
          sessionId: verification.sessionId,
          walletSigningKey: verification.walletSigningKey,
          ...(verification.locale ? { locale: verification.locale } : {}),
          currentVerificationId: verification.verificationId,
          verifications: { [verification.verificationId]: entryOf(verification) },
          createdAt: now,
          updatedAt: now,
        });
        return verification.verificationId;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const existing = await load(verification);
      const own = Object.entries(existing?.verifications ?? {}).find(([, entry]) => sameRequest(entry.initiatedBy, verification.initiatedBy));
      if (!own) throw new SessionAlreadyUsedError();
      return own[0];
    },

    /**
     * Starts a new verification of an existing session if `previousVerificationId` is still its
     * current one (profile §Re-verification): of two concurrent attempts, one wins. Returns the
     * new verificationId, the one an earlier execution of the same request chose, or null when
     * another request superseded the previous verification.
     */
    async startReverification(key: SessionKey, previousVerificationId: string, next: NewVerification): Promise<string | null> {
      const successorId = `${sessionDocumentId(key)}/${previousVerificationId}`;
      // The insert decides (conditional updates are not atomic on FerretDB): one successor per verification.
      try {
        await successors.insertOne({ _id: successorId, verificationId: next.verificationId, initiatedBy: next.initiatedBy, at: new Date() });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        const successor = await successors.findOne({ _id: successorId });
        if (!successor || !sameRequest(successor.initiatedBy, next.initiatedBy)) return null;
        // The same request, repeated: finish what its earlier execution may not have written.
        const document = await load(key);
        if (document?.verifications[successor.verificationId]) return successor.verificationId;
        next = { ...next, verificationId: successor.verificationId };
      }
      // An open verification again: retention waits for it to end (profile §Retention).
      await sessions.updateOne(
        { _id: sessionDocumentId(key) },
        {
          $set: { currentVerificationId: next.verificationId, [`verifications.${next.verificationId}`]: entryOf(next), updatedAt: new Date() },
          $unset: { endedAt: '', evidenceHeldSince: '' },
        },
      );
      return next.verificationId;
    },

    /** Undoes a re-verification whose workflow never started. */
    abandonReverification: restorePrevious,

    /** One verification of the tenant's session; another tenant's is indistinguishable from a missing one. */
    async find(key: SessionKey, verificationId: string): Promise<VerificationSession | null> {
      const document = await load(key);
      return document ? view(document, verificationId) : null;
    },

    /** The verification that a given request started (reconciliation of a crashed initiate). */
    async findByInitiatingRequest(key: SessionKey, request: InitiatingRequest): Promise<VerificationSession | null> {
      const document = await load(key);
      const own = Object.entries(document?.verifications ?? {}).find(([, entry]) => sameRequest(entry.initiatedBy, request));
      return document && own ? view(document, own[0]) : null;
    },

    /** The tenant's session's current verification. */
    async get(key: SessionKey): Promise<VerificationSession | null> {
      const document = await load(key);
      return document ? view(document, document.currentVerificationId) : null;
    },

    /**
     * Writes a status a verification reached. Both operators commute: a retried or late activity
     * adds its version to the history and can never lower statusVersion, so the current status is
     * always the newest one, without a read-then-write.
     */
    async recordDecision(key: SessionKey, verificationId: string, decision: VerificationDecision, statusVersion: number): Promise<void> {
      const prefix = `verifications.${verificationId}`;
      const now = new Date();
      // A final status starts the retention periods; a retry can only move them later ($max), never early.
      // (A late final write of a superseded verification can mark a session whose current one is
      // open: the sweep checks every verification before it acts.)
      const ended = isTerminal(decision.status) ? { endedAt: now, evidenceHeldSince: now } : {};
      const result = await sessions.updateOne(
        { _id: sessionDocumentId(key) },
        { $set: { [`${prefix}.decisions.${statusVersion}`]: decision }, $max: { [`${prefix}.statusVersion`]: statusVersion, updatedAt: now, ...ended } },
      );
      if (result.matchedCount === 0) throw new SessionMissingError(`verification ${verificationId} has no session record`);
    },

    /** Removes a session whose first workflow never started, so nothing half-written remains. */
    async remove(key: SessionKey): Promise<void> {
      await sessions.deleteOne({ _id: sessionDocumentId(key) });
    },

    /**
     * Undoes a verification whose workflow never started (reconciliation of a crashed initiate):
     * the whole session if it was the session's first, otherwise the re-verification (the
     * previous verification becomes current again).
     */
    async abandonVerification(key: SessionKey, verificationId: string): Promise<void> {
      const document = await load(key);
      if (!document?.verifications[verificationId]) return;
      const successor = await successors.findOne({ _id: { $regex: `^${escapeRegex(sessionDocumentId(key))}/` }, verificationId });
      if (!successor) {
        await sessions.deleteOne({ _id: sessionDocumentId(key) });
        return;
      }
      await restorePrevious(key, successor._id.slice(sessionDocumentId(key).length + 1), verificationId);
    },

    /**
     * Records that the Wallet Server acknowledged a notification of `statusVersion`. $max commutes
     * (FerretDB has no atomic conditional update): a late or repeated attempt never lowers it.
     */
    async recordNotificationDelivered(key: SessionKey, verificationId: string, statusVersion: number): Promise<void> {
      await sessions.updateOne({ _id: sessionDocumentId(key) }, { $max: { [`verifications.${verificationId}.notifiedStatusVersion`]: statusVersion } });
    },

    /** Records that the notifier gave up notifying `statusVersion` (commuting operators only, as above). */
    async recordNotificationAbandoned(key: SessionKey, verificationId: string, statusVersion: number): Promise<void> {
      await sessions.updateOne(
        { _id: sessionDocumentId(key) },
        { $max: { [`verifications.${verificationId}.abandonedNotificationVersion`]: statusVersion, notificationAbandonedAt: new Date() } },
      );
    },

    /**
     * Verifications whose newest status the Wallet Server never acknowledged, among sessions with a
     * notification given up at or after `since` (oldest first; index notification_abandoned), for
     * a reconciliation job to notify again.
     */
    async listUnacknowledgedNotifications(options: { since: Date; limit: number }): Promise<UnacknowledgedNotification[]> {
      const documents = await sessions
        .find({ notificationAbandonedAt: { $gte: options.since } })
        .sort({ notificationAbandonedAt: 1 })
        .limit(options.limit)
        .toArray();
      return documents.flatMap((document) =>
        Object.entries(document.verifications).flatMap(([verificationId, entry]) => {
          const notifiedStatusVersion = entry.notifiedStatusVersion ?? 0;
          if (entry.abandonedNotificationVersion === undefined || notifiedStatusVersion >= entry.statusVersion) return [];
          return [
            {
              tenantId: document.tenantId,
              sessionId: document.sessionId,
              verificationId,
              statusVersion: entry.statusVersion,
              notifiedStatusVersion,
              abandonedAt: document.notificationAbandonedAt as Date,
            },
          ];
        }),
      );
    },
  };
}
export type VerificationSessionRepository = ReturnType<typeof createVerificationSessionRepository>;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
