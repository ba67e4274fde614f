import { log, proxyActivities } from '@temporalio/workflow';
import type { ReconciliationActivities } from '../../activities/reconciliation-activities';
import type { VerificationActivities } from '../../activities/verification-activities';
import type { ReconciliationInput, ReconciliationSummary } from './messages';

const { releaseLapsedRequests, abortClosedVerifications } = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

const { notifyWalletServer } = proxyActivities<VerificationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 1 },
});

/**
 * One reconciliation pass, run by a Temporal Schedule (overlap: skip). Finds and repairs what a
 * crash can leave (docs/architecture.md §Reconciliation); every repair is idempotent, so a pass
 * that dies half-way is simply repeated by the next one.
 */
export async function reconciliationWorkflow(input: ReconciliationInput): Promise<ReconciliationSummary> {
  const lapsed = await releaseLapsedRequests({ graceMs: input.lapsedGraceMs, limit: input.batchLimit });
  const aborted = await abortClosedVerifications({ lookbackMs: input.closedLookbackMs, limit: input.batchLimit });
  let notificationsSent = 0;
  for (const status of aborted) {
    try {
      await notifyWalletServer(status);
      notificationsSent += 1;
    } catch {
      // Polling /verification/status tells the truth; the next pass does not retry this one.
      log.warn('notification of an aborted verification failed', { verificationId: status.verificationId });
    }
  }
  const summary = { requestsReleased: lapsed.released, workflowsStarted: lapsed.started, verificationsAborted: aborted.length, notificationsSent };
  log.info('reconciliation pass', { ...summary });
  return summary;
}
