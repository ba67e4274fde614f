import { log } from '@temporalio/activity';
import type { ContentDownloadStore } from '../store/content-downloads';
import type { IdempotencyRepository } from '../store/idempotency';
import type { RetentionSweeper } from '../store/retention';

export interface RetentionDeps {
  sweeper: RetentionSweeper;
  idempotency: IdempotencyRepository;
  contentDownloads: Pick<ContentDownloadStore, 'sweepExpired'>;
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
  };
}
export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
