import type { Db } from 'mongodb';
import { isTerminal, type VerificationState } from '../domain/verification-state';
import { collections } from './mongo';

/**
 * How long records are kept (profile §Retention). FerretDB has no TTL indexes, so the retention
 * Schedule (workflows/retention) runs these sweeps. Each sweep:
 * - takes at most `limit` items per call, oldest first, by an indexed time;
 * - deletes by key, and clears its queue marker last, so a pass that dies half-way is simply
 *   repeated by the next one, and a pass with nothing due changes nothing;
 * - never touches a session while one of its verifications is open: a session is due only when
 *   every verification it holds has a final status (checked on the document itself).
 */
export interface RetentionPeriods {
  /** Evidence (verification data), review case contents, sign-in handles: after the session's verification ended. */
  evidenceMs: number;
  /** The session's statuses, then reduced to a tombstone; review cases, re-verification links, device slots, repair log. */
  sessionMs: number;
  /** One-time codes after they expired; their attempts and uses after they were made. */
  oneTimeCodeMs: number;
  /** Credential Offers and their redemptions, after the offer expired. */
  credentialOfferMs: number;
}

interface SessionForRetention {
  _id: string;
  tenantId: string;
  sessionId: string;
  createdAt: Date;
  verifications: Record<string, { decisions: Record<string, { status: VerificationState }>; statusVersion: number }>;
  endedAt?: Date;
  evidenceHeldSince?: Date;
}

/** What a session is reduced to at the end of its period: the sessionId stays consumed (S2S §Replay Protection). */
interface SessionTombstone {
  tenantId: string;
  sessionId: string;
  createdAt: Date;
  currentVerificationId: '';
  verifications: Record<string, never>;
  retiredAt: Date;
}

/** The session's verificationIds if every one of them has ended; null while one is open. */
function endedVerificationIds(session: SessionForRetention): string[] | null {
  const entries = Object.entries(session.verifications ?? {});
  const ended = entries.every(([, entry]) => {
    const status = entry.decisions[String(entry.statusVersion)]?.status;
    return status !== undefined && isTerminal(status);
  });
  return ended ? entries.map(([verificationId]) => verificationId) : null;
}

export interface RetentionSweepCounts {
  /** Sessions whose evidence was deleted. */
  evidenceRemoved: number;
  /** Sessions reduced to a tombstone. */
  sessionsRetired: number;
  oneTimeCodeRecords: number;
  credentialOfferRecords: number;
  repairRecords: number;
}

export function createRetentionSweeper(db: Db, options: { periods: RetentionPeriods; now?: () => Date }) {
  const now = options.now ?? (() => new Date());
  const { periods } = options;
  const sessions = db.collection<SessionForRetention>(collections.verificationSessions);
  const verificationData = db.collection<{ _id: string; tenantId: string; sessionId: string; verificationId: string }>(collections.verificationData);
  const reviewCases = db.collection<{ _id: string; verificationId: string; state: string }>(collections.reviewCases);
  const reviewClaims = db.collection<{ _id: string; caseId: string }>(collections.reviewClaims);
  const reviewDecisions = db.collection<{ _id: string }>(collections.reviewDecisions);
  const authentications = db.collection<{ _id: string; tenantId: string; sessionId: string; verificationId: string }>(collections.issuerAuthentications);
  const authenticationCompletions = db.collection<{ _id: string }>(collections.issuerAuthenticationCompletions);
  const successors = db.collection<{ _id: string }>(collections.reverifications);
  const deviceSlots = db.collection<{ _id: string; previousSessionKey: string }>(collections.deviceMigrations);
  const providerRequests = db.collection<{ _id: string; tenantId: string; verificationId: string }>(collections.providerRequests);
  const before = (periodMs: number) => new Date(now().getTime() - periodMs);

  /** Deletes up to `limit` documents of `collection` whose `field` is before `cutoff`, oldest first. */
  async function deleteOlderThan(name: string, field: string, cutoff: Date, limit: number): Promise<number> {
    const collection = db.collection<{ _id: unknown }>(name);
    const due = await collection
      .find({ [field]: { $lt: cutoff } }, { projection: { _id: 1 } })
      .sort({ [field]: 1 })
      .limit(limit)
      .toArray();
    if (due.length === 0) return 0;
    return (await collection.deleteMany({ _id: { $in: due.map((d) => d._id) } })).deletedCount;
  }

  /** Up to `limit` sessions whose `marker` is older than `periodMs`, oldest first. */
  function sessionsDue(marker: 'endedAt' | 'evidenceHeldSince', periodMs: number, limit: number): Promise<SessionForRetention[]> {
    return sessions
      .find({ [marker]: { $lt: before(periodMs) } })
      .sort({ [marker]: 1 })
      .limit(limit)
      .toArray();
  }

  /**
   * A marker found on a session whose verifications are not all final (a late write of a
   * superseded verification, profile §Retention): cleared, unless the session changed meanwhile.
   */
  async function clearStaleMarker(session: SessionForRetention, marker: 'endedAt' | 'evidenceHeldSince'): Promise<void> {
    await sessions.updateOne({ _id: session._id, [marker]: session[marker] }, { $unset: { endedAt: '', evidenceHeldSince: '' } });
  }

  /**
   * Deletes the personal data of these ended verifications: their evidence, the sign-in handles
   * and the holder accounts that completed them; review cases keep their decision, not what it
   * was about. Keyed by verificationId, so a re-verification started meanwhile is not touched.
   */
  async function removeEvidenceOf(session: SessionForRetention, verificationIds: string[]): Promise<void> {
    await verificationData.deleteMany({ tenantId: session.tenantId, sessionId: session.sessionId, verificationId: { $in: verificationIds } });
    const handles = await authentications
      .find({ tenantId: session.tenantId, sessionId: session.sessionId, verificationId: { $in: verificationIds } }, { projection: { _id: 1 } })
      .toArray();
    if (handles.length > 0) {
      const ids = handles.map((h) => h._id);
      await authenticationCompletions.deleteMany({ _id: { $in: ids } });
      await authentications.deleteMany({ _id: { $in: ids } });
    }
    // A case still open has lost its evidence: it cannot be decided any more.
    await reviewCases.updateMany(
      { verificationId: { $in: verificationIds }, state: 'open' },
      { $set: { state: 'closed', decidedAt: now(), decision: { outcome: 'EVIDENCE_REMOVED', decidedBy: 'retention' } } },
    );
    await reviewCases.updateMany(
      { verificationId: { $in: verificationIds } },
      { $unset: { evidenceRef: '', reasons: '' }, $set: { evidenceRemovedAt: now() } },
    );
  }

  return {
    /** Sessions whose verification ended more than `evidenceMs` ago: their evidence is deleted. */
    async removeEndedEvidence(limit: number): Promise<number> {
      const due = await sessionsDue('evidenceHeldSince', periods.evidenceMs, limit);
      let removed = 0;
      for (const session of due) {
        const verificationIds = endedVerificationIds(session);
        if (!verificationIds) {
          await clearStaleMarker(session, 'evidenceHeldSince');
          continue;
        }
        await removeEvidenceOf(session, verificationIds);
        await sessions.updateOne({ _id: session._id, evidenceHeldSince: session.evidenceHeldSince }, { $unset: { evidenceHeldSince: '' } });
        removed += 1;
      }
      return removed;
    },

    /**
     * Sessions whose verification ended more than `sessionMs` ago: everything of theirs is
     * deleted, and the session becomes a tombstone that keeps its sessionId consumed (a replayed
     * initiate is still refused) and answers like an unknown session otherwise.
     */
    async retireEndedSessions(limit: number): Promise<number> {
      const due = await sessionsDue('endedAt', periods.sessionMs, limit);
      let retired = 0;
      for (const session of due) {
        const verificationIds = endedVerificationIds(session);
        if (!verificationIds) {
          await clearStaleMarker(session, 'endedAt');
          continue;
        }
        await removeEvidenceOf(session, verificationIds);
        const cases = await reviewCases.find({ verificationId: { $in: verificationIds } }, { projection: { _id: 1 } }).toArray();
        if (cases.length > 0) {
          const caseIds = cases.map((c) => c._id);
          await reviewClaims.deleteMany({ caseId: { $in: caseIds } });
          await reviewDecisions.deleteMany({ _id: { $in: caseIds } });
          await reviewCases.deleteMany({ _id: { $in: caseIds } });
        }
        await successors.deleteMany({ _id: { $in: verificationIds.map((id) => `${session._id}/${id}`) } });
        // Which holder account each verification stood for (store/session-holders.ts).
        await db.collection<{ _id: string }>(collections.sessionHolders).deleteMany({ _id: { $in: verificationIds.map((id) => `${session._id}/${id}`) } });
        await deviceSlots.deleteMany({ previousSessionKey: session._id });
        await providerRequests.deleteMany({ tenantId: session.tenantId, verificationId: { $in: verificationIds } });
        const tombstone: SessionTombstone = {
          tenantId: session.tenantId,
          sessionId: session.sessionId,
          createdAt: session.createdAt,
          currentVerificationId: '',
          verifications: {},
          retiredAt: now(),
        };
        // Only if it has not been re-verified meanwhile (that removes endedAt).
        const replaced = await sessions.replaceOne({ _id: session._id, endedAt: session.endedAt }, tombstone as unknown as SessionForRetention);
        retired += replaced.modifiedCount;
      }
      return retired;
    },

    /** One-time codes expired more than `oneTimeCodeMs` ago, and attempts and uses made that long ago. */
    async removeOldOneTimeCodes(limit: number): Promise<number> {
      const cutoff = before(periods.oneTimeCodeMs);
      return (
        (await deleteOlderThan(collections.oneTimeCodes, 'expiresAt', cutoff, limit)) +
        (await deleteOlderThan(collections.oneTimeCodeAttempts, 'at', cutoff, limit)) +
        (await deleteOlderThan(collections.oneTimeCodeUses, 'at', cutoff, limit))
      );
    },

    /** Credential Offers expired more than `credentialOfferMs` ago, with their redemptions. */
    async removeOldCredentialOffers(limit: number): Promise<number> {
      const offers = db.collection<{ _id: string }>(collections.credentialOffers);
      const due = await offers
        .find({ expiresAt: { $lt: before(periods.credentialOfferMs) } }, { projection: { _id: 1 } })
        .sort({ expiresAt: 1 })
        .limit(limit)
        .toArray();
      if (due.length === 0) return 0;
      const ids = due.map((o) => o._id);
      // Redemptions first: an offer whose redemption survived a crash is found again by the next pass.
      await db.collection<{ _id: string }>(collections.offerRedemptions).deleteMany({ _id: { $in: ids } });
      return (await offers.deleteMany({ _id: { $in: ids } })).deletedCount;
    },

    /** Reconciliation's repair log (identifiers of sessions), kept as long as sessions. */
    removeOldRepairs(limit: number): Promise<number> {
      return deleteOlderThan(collections.reconciliationRepairs, 'at', before(periods.sessionMs), limit);
    },
  };
}
export type RetentionSweeper = ReturnType<typeof createRetentionSweeper>;
