import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { interleaveByTenant } from '../domain/quotas';
import { collections, isDuplicateKeyError } from './mongo';

/** How many of each tenant's oldest cases the shared queue reads (claimed ones are filtered out after). */
const perTenantWindow = 500;

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
  /** `closed`: the verification ended some other way (cancelled, expired) before a decision. */
  state: 'open' | 'decided' | 'closed';
  claimedBy?: string;
  claimExpiresAt?: Date;
  createdAt: Date;
  decidedAt?: Date;
  decision?: { outcome: string; reasonCode?: string; decidedBy: string };
}

/**
 * The audit trail: who did what to a case, and when, and for a decision which one. It holds no
 * personal data (no evidence, no message to the holder), so it outlives the case (profile
 * §Retention).
 */
export interface ReviewAuditEntry {
  _id: string;
  caseId: string;
  reviewerId: string;
  action: 'claim' | 'view_evidence' | 'decide';
  at: Date;
  /** For `decide`: the outcome and reason code decided. */
  outcome?: string;
  reasonCode?: string;
}

export class ReviewClaimError extends Error {}

/**
 * `now` is the clock that claims are timed by and entries are stamped with: the system clock in
 * production; tests pass a clock they move, so a claim can expire without waiting for it.
 */
export function createReviewCaseRepository(db: Db, now: () => Date = () => new Date()) {
  const cases = db.collection<ReviewCase>(collections.reviewCases);
  const audit = db.collection<ReviewAuditEntry>(collections.reviewAudit);
  const claims = db.collection<{ _id: string; caseId: string; k: number; reviewerId: string; expiresAt: Date; at: Date }>(collections.reviewClaims);
  const decisions = db.collection<{ _id: string; outcome: string; reasonCode?: string; decidedBy: string; at: Date }>(collections.reviewDecisions);
  const latestClaim = async (caseId: string) => (await claims.find({ caseId }).sort({ k: -1 }).limit(1).toArray())[0];

  return {
    /** Opens a case; the same evaluation (verification + evidence) opens it once. */
    async open(details: Omit<ReviewCase, '_id' | 'state' | 'createdAt'>): Promise<void> {
      try {
        await cases.insertOne({ _id: `${details.verificationId}:${details.evidenceRef}`, ...details, state: 'open', createdAt: now() });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    },

    /**
     * Cases in `state` (open by default); `claimableBy` leaves out cases another reviewer holds
     * now. For one tenant: oldest first. Across tenants the queue is shared fairly (profile
     * §Quotas): each tenant's oldest cases are read in a window of their own and interleaved
     * round by round (every tenant's oldest, then every tenant's second oldest, ...), so one
     * tenant's flood of cases cannot push another tenant's oldest case out of the list.
     */
    async list(filter: {
      tenantId?: string;
      state?: ReviewCase['state'];
      claimableBy?: string;
      limit?: number;
      /** Only cases for this credential configuration (the reviewer console's filter). */
      credentialConfigurationId?: string;
      /** Only cases created at or before this time (waiting at least so long). */
      createdBefore?: Date;
    }): Promise<ReviewCase[]> {
      const at = now();
      const state = filter.state ?? 'open';
      const limit = filter.limit ?? 50;
      // The filters are part of the query, so a page of the filtered queue is full, not what is left of a page.
      const narrowed = {
        state,
        ...(filter.credentialConfigurationId ? { credentialConfigurationIds: filter.credentialConfigurationId } : {}),
        ...(filter.createdBefore ? { createdAt: { $lte: filter.createdBefore } } : {}),
      };
      const visible = (found: ReviewCase[]) =>
        filter.claimableBy
          ? found.filter((c) => !c.claimedBy || c.claimedBy === filter.claimableBy || (c.claimExpiresAt?.getTime() ?? 0) <= at.getTime())
          : found;
      const oldestOf = async (tenantId: string) =>
        visible(
          await cases
            .find({ ...narrowed, tenantId })
            .sort({ createdAt: 1 })
            .limit(perTenantWindow)
            .toArray(),
        );
      if (filter.tenantId) return (await oldestOf(filter.tenantId)).slice(0, limit);
      // $match/$group: the tenants with cases in this state (index tenant_state_created per tenant).
      const tenants = await cases.aggregate<{ _id: string }>([{ $match: narrowed }, { $group: { _id: '$tenantId' } }]).toArray();
      const queues = await Promise.all(tenants.map((tenant) => oldestOf(tenant._id)));
      return interleaveByTenant(queues, (c) => c.createdAt.getTime(), limit);
    },

    get(caseId: string): Promise<ReviewCase | null> {
      return cases.findOne({ _id: caseId });
    },

    /** The verification's open case, if any (index verification_state). */
    async openCaseOf(verificationId: string): Promise<string | undefined> {
      return (await cases.findOne({ verificationId, state: 'open' }, { projection: { _id: 1 } }))?._id;
    },

    /** Open cases and the oldest one's creation (index state_created): the metrics' review queue. */
    async queueSummary(): Promise<{ open: number; oldestCreatedAt?: Date }> {
      const [open, oldest] = await Promise.all([
        cases.countDocuments({ state: 'open' }),
        cases
          .find({ state: 'open' }, { projection: { createdAt: 1 } })
          .sort({ createdAt: 1 })
          .limit(1)
          .next(),
      ]);
      return { open, ...(oldest ? { oldestCreatedAt: oldest.createdAt } : {}) };
    },

    /**
     * Claims a case for `claimMs`. Claims are numbered per case and inserted on _id, so of two
     * reviewers claiming at once exactly one succeeds (conditional updates are not atomic on
     * FerretDB). A reviewer may renew their own live claim; anyone may take an expired one.
     */
    async claim(caseId: string, reviewerId: string, claimMs: number): Promise<ReviewCase> {
      const at = now();
      const found = await cases.findOne({ _id: caseId });
      if (!found || found.state !== 'open') throw new ReviewClaimError('the case is decided');
      const latest = await latestClaim(caseId);
      if (latest && latest.expiresAt.getTime() > at.getTime() && latest.reviewerId !== reviewerId) {
        throw new ReviewClaimError('the case is claimed by another reviewer');
      }
      const expiresAt = new Date(at.getTime() + claimMs);
      try {
        await claims.insertOne({ _id: `${caseId}#${(latest?.k ?? 0) + 1}`, caseId, k: (latest?.k ?? 0) + 1, reviewerId, expiresAt, at });
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new ReviewClaimError('the case was just claimed by another reviewer');
        throw error;
      }
      // For listing only; the claims collection is authoritative.
      await cases.updateOne({ _id: caseId }, { $set: { claimedBy: reviewerId, claimExpiresAt: expiresAt } });
      await this.audit(caseId, reviewerId, 'claim', at);
      return { ...found, claimedBy: reviewerId, claimExpiresAt: expiresAt };
    },

    /** The case, if it is open and `reviewerId` holds its live claim. */
    async claimedBy(caseId: string, reviewerId: string): Promise<ReviewCase> {
      const at = now();
      const [found, latest] = await Promise.all([cases.findOne({ _id: caseId }), latestClaim(caseId)]);
      const live = latest && latest.reviewerId === reviewerId && latest.expiresAt.getTime() > at.getTime();
      if (!found || found.state !== 'open' || !live) throw new ReviewClaimError('claim the case first (claims expire)');
      return found;
    },

    /** Records the decision; the first decision of a case wins (insert on _id). */
    async recordDecision(caseId: string, reviewerId: string, decision: NonNullable<ReviewCase['decision']>): Promise<void> {
      const at = now();
      try {
        await decisions.insertOne({ _id: caseId, ...decision, at });
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new ReviewClaimError('the case is already decided');
        throw error;
      }
      await cases.updateOne({ _id: caseId }, { $set: { state: 'decided', decidedAt: at, decision } });
      await this.audit(caseId, reviewerId, 'decide', at, { outcome: decision.outcome, ...(decision.reasonCode ? { reasonCode: decision.reasonCode } : {}) });
    },

    /** Closes the open cases of a verification that ended without a reviewer's decision. */
    async closeForVerification(verificationId: string, finalStatus: string): Promise<void> {
      await cases.updateMany(
        { verificationId, state: 'open' },
        { $set: { state: 'closed', decidedAt: now(), decision: { outcome: finalStatus, decidedBy: 'verification-ended' } } },
      );
    },

    /** Takes back a decision whose verdict could not be delivered, so it can be decided again. */
    async withdrawDecision(caseId: string): Promise<void> {
      await decisions.deleteOne({ _id: caseId });
      await cases.updateOne({ _id: caseId }, { $set: { state: 'open' }, $unset: { decidedAt: '', decision: '' } });
    },

    async audit(
      caseId: string,
      reviewerId: string,
      action: ReviewAuditEntry['action'],
      at = now(),
      decided: Pick<ReviewAuditEntry, 'outcome' | 'reasonCode'> = {},
    ): Promise<void> {
      await audit.insertOne({ _id: randomUUID(), caseId, reviewerId, action, at, ...decided });
    },

    auditTrail(caseId: string): Promise<ReviewAuditEntry[]> {
      return audit.find({ caseId }).sort({ at: 1 }).toArray();
    },
  };
}
export type ReviewCaseRepository = ReturnType<typeof createReviewCaseRepository>;
