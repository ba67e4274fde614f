import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { collections, isDuplicateKeyError } from './mongo';

/**
 * The manual review queue (profile §Manual review): one case per evaluation that needs a person.
 * A reviewer claims a case for a limited time; an unclaimed or expired claim can be taken by
 * anyone. The evidence itself stays in verification_data (encrypted); the case refers to it.
 */
export interface ReviewCase {
  _id: string;
  tenantId: string;
  sessionId: string;
  verificationId: string;
  credentialConfigurationIds: string[];
  evidenceRef: string;
  reasons: string[];
  state: 'open' | 'decided';
  claimedBy?: string;
  claimExpiresAt?: Date;
  createdAt: Date;
  decidedAt?: Date;
  decision?: { outcome: string; reasonCode?: string; decidedBy: string };
}

export interface ReviewAuditEntry {
  _id: string;
  caseId: string;
  reviewerId: string;
  action: 'claim' | 'view_evidence' | 'decide';
  at: Date;
}

export class ReviewClaimError extends Error {}

export function createReviewCaseRepository(db: Db) {
  const cases = db.collection<ReviewCase>(collections.reviewCases);
  const audit = db.collection<ReviewAuditEntry>(collections.reviewAudit);
  const holdsClaim = (c: ReviewCase, reviewerId: string, now: Date) => c.state === 'open' && c.claimedBy === reviewerId && (c.claimExpiresAt?.getTime() ?? 0) > now.getTime();

  return {
    /** Opens a case; the same evaluation (verification + evidence) opens it once. */
    async open(details: Omit<ReviewCase, '_id' | 'state' | 'createdAt'>): Promise<void> {
      try {
        await cases.insertOne({ _id: `${details.verificationId}:${details.evidenceRef}`, ...details, state: 'open', createdAt: new Date() });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    },

    /** Open cases, oldest first; `claimable` leaves out cases another reviewer holds now. */
    async list(filter: { tenantId?: string; state?: 'open' | 'decided'; claimableBy?: string; limit?: number }, now = new Date()): Promise<ReviewCase[]> {
      const found = await cases
        .find({ state: filter.state ?? 'open', ...(filter.tenantId ? { tenantId: filter.tenantId } : {}) })
        .sort({ createdAt: 1 })
        .limit(500)
        .toArray();
      const visible = filter.claimableBy
        ? found.filter((c) => !c.claimedBy || c.claimedBy === filter.claimableBy || (c.claimExpiresAt?.getTime() ?? 0) <= now.getTime())
        : found;
      return visible.slice(0, filter.limit ?? 50);
    },

    get(caseId: string): Promise<ReviewCase | null> {
      return cases.findOne({ _id: caseId });
    },

    /**
     * Claims a case for `claimMs`. The conditional update is the arbiter: of two reviewers
     * claiming at once, one matches and the other finds the case held.
     */
    async claim(caseId: string, reviewerId: string, claimMs: number, now = new Date()): Promise<ReviewCase> {
      const result = await cases.findOneAndUpdate(
        { _id: caseId, state: 'open', $or: [{ claimedBy: { $exists: false } }, { claimedBy: reviewerId }, { claimExpiresAt: { $lte: now } }] },
        { $set: { claimedBy: reviewerId, claimExpiresAt: new Date(now.getTime() + claimMs) } },
        { returnDocument: 'after' },
      );
      if (!result) throw new ReviewClaimError('the case is decided or claimed by another reviewer');
      await this.audit(caseId, reviewerId, 'claim', now);
      return result;
    },

    /** The case, if `reviewerId` holds a live claim on it. */
    async claimedBy(caseId: string, reviewerId: string, now = new Date()): Promise<ReviewCase> {
      const found = await cases.findOne({ _id: caseId });
      if (!found || !holdsClaim(found, reviewerId, now)) throw new ReviewClaimError('claim the case first (claims expire)');
      return found;
    },

    async markDecided(caseId: string, reviewerId: string, decision: ReviewCase['decision'], now = new Date()): Promise<void> {
      await cases.updateOne({ _id: caseId }, { $set: { state: 'decided', decidedAt: now, decision } });
      await this.audit(caseId, reviewerId, 'decide', now);
    },

    async audit(caseId: string, reviewerId: string, action: ReviewAuditEntry['action'], at = new Date()): Promise<void> {
      await audit.insertOne({ _id: randomUUID(), caseId, reviewerId, action, at });
    },

    auditTrail(caseId: string): Promise<ReviewAuditEntry[]> {
      return audit.find({ caseId }).sort({ at: 1 }).toArray();
    },
  };
}
export type ReviewCaseRepository = ReturnType<typeof createReviewCaseRepository>;
