import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { RetentionActivities } from '../../activities/retention-activities';
import type { RetentionInput, RetentionSummary } from './messages';

const activities = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** Added with credential issuance: a pass that began on an older worker replays without these steps. */
const sweepsCredentialRecords = 'sweep-credential-records';

/**
 * One retention pass (profile §Retention), run by its own Temporal Schedule (overlap: skip).
 * Each step is bounded and idempotent, so a pass that dies half-way is repeated by the next one;
 * retiring a session deletes its evidence too, whatever the evidence step got through. The
 * history holds counts only.
 */
export async function retentionWorkflow(input: RetentionInput): Promise<RetentionSummary> {
  const limit = { limit: input.batchLimit };
  const summary: RetentionSummary = {
    evidenceRemoved: await activities.removeEndedEvidence(limit),
    sessionsRetired: await activities.retireEndedSessions(limit),
    oneTimeCodeRecords: await activities.removeOldOneTimeCodes(limit),
    credentialOffers: await activities.removeOldCredentialOffers(limit),
    repairRecords: await activities.removeOldRepairs(limit),
    idempotencyRecords: await activities.removeExpiredIdempotencyRecords(limit),
  };
  if (patched(sweepsCredentialRecords)) {
    summary.issuanceRecords = await activities.removeExpiredIssuanceRecords(limit);
    summary.contentDownloads = await activities.removeExpiredContentDownloads(limit);
  }
  log.info('retention pass', { ...summary });
  return summary;
}
