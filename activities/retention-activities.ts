import { log } from '@temporalio/activity';
import type { ContentDownloadStore } from '../store/content-downloads';
import type { IdempotencyRepository } from '../store/idempotency';
import type { RetentionSweeper } from '../store/retention';

export interface RetentionDeps {
  sweeper: RetentionSweeper;
  idempotency: IdempotencyRepository;
  contentDownloads: Pick<ContentDownloadStore, 'sweepExpired'>;
  /** Records that end at their own expiresAt: credential requests, deliveries, issued credential sets (profile §25). */
  expiringRecords: { deleteExpired(limit: number): Promise<number> }[];
}

/**
 * One retention sweep per record kind (profile §Retention), each bounded by `limit` and
 * idempotent (store/retention.ts): a retried or repeated activity deletes nothing twice and
 * nothing early. Counts only are logged, never identifiers of holders.
 */
export function createRetentionActivities(deps: RetentionDeps) {
  const counted = async (kind: string, sweep: Promise<number>): Promise<number> => {
    const count = await sweep;
    if (count > 0) log.info('retention sweep', { kind, count });
    return count;
  };
  return {
    removeEndedEvidence: (input: { limit: number }) => counted('evidence', deps.sweeper.removeEndedEvidence(input.limit)),
    retireEndedSessions: (input: { limit: number }) => counted('sessions', deps.sweeper.retireEndedSessions(input.limit)),
    removeOldOneTimeCodes: (input: { limit: number }) => counted('one-time-codes', deps.sweeper.removeOldOneTimeCodes(input.limit)),
    removeOldCredentialOffers: (input: { limit: number }) => counted('credential-offers', deps.sweeper.removeOldCredentialOffers(input.limit)),
    removeOldRepairs: (input: { limit: number }) => counted('reconciliation-repairs', deps.sweeper.removeOldRepairs(input.limit)),
    /** Stored responses past the replay window (profile §3). */
    removeExpiredIdempotencyRecords: (input: { limit: number }) => counted('idempotency-records', deps.idempotency.sweepExpired(new Date(), input.limit)),
    /**
     * Contents delivered by reference past their expiresAt (profile §25): on MongoDB the TTL index
     * has usually removed them already; on FerretDB (no TTL indexes) this is what does.
     */
    removeExpiredContentDownloads: (input: { limit: number }) => counted('content-downloads', deps.contentDownloads.sweepExpired(new Date(), input.limit)),
    /** Issuance records past their expiresAt (profile §25: requests, deliveries, issued sets, nonces): each store at most `limit`. */
    removeExpiredIssuanceRecords: async (input: { limit: number }) => {
      let total = 0;
      for (const store of deps.expiringRecords) total += await store.deleteExpired(input.limit);
      return counted('issuance-records', Promise.resolve(total));
    },
  };
}
export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
