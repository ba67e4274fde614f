import { log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RepairedStatus, ReconciliationActivities } from '../../activities/reconciliation-activities';
import type { VerificationActivities } from '../../activities/verification-activities';
import { outboundActivityOptions } from '../outbound-activity-options';
import type { ReconciliationInput, ReconciliationSummary } from './messages';

const {
  releaseLapsedRequests,
  abortClosedVerifications,
  listNotificationsToResend,
  recordResentNotifications,
  releaseEndedQuotaSlots,
  requestCredentialReconciliations,
  sweepCredentialInstances,
} = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

const { recordNotificationAbandoned } = proxyActivities<VerificationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/**
 * One reconciliation pass, run by a Temporal Schedule (overlap: skip). Finds and repairs what a
 * crash can leave (docs/architecture.md §Reconciliation); every repair is idempotent, so a pass
 * that dies half-way is simply repeated by the next one.
 */
export async function reconciliationWorkflow(input: ReconciliationInput): Promise<ReconciliationSummary> {
  const lapsed = await releaseLapsedRequests({ graceMs: input.lapsedGraceMs, limit: input.batchLimit });
  const aborted = await abortClosedVerifications({ lookbackMs: input.closedLookbackMs, limit: input.batchLimit });
  const resend = await listNotificationsToResend({
    lookbackMs: input.notificationLookbackMs,
    minAgeMs: input.notificationResendAfterMs,
    limit: input.batchLimit,
  });

  // One attempt each, on the outbound task queue: a Wallet Server still down costs one call per
  // pass, and the failure moves the notification to the back of the queue.
  const outcomes = await Promise.all(
    [...aborted, ...resend].map(async (status) => {
      const { notifyWalletServer } = proxyActivities<VerificationActivities>({
        ...outboundActivityOptions({ taskQueue: input.outboundTaskQueue, tenantId: status.tenantId }),
        retry: { maximumAttempts: 1 },
      });
      try {
        await notifyWalletServer({ ...status, recordDelivery: true });
        return { status, delivered: true };
      } catch {
        await recordNotificationAbandoned(status);
        return { status, delivered: false };
      }
    }),
  );
  const resent: RepairedStatus[] = outcomes.filter((o) => o.delivered && resend.includes(o.status)).map((o) => o.status);
  if (resent.length > 0) await recordResentNotifications(resent);

  // Behind a patch: passes recorded before quotas existed replay without this activity.
  const quotaSlotsReleased = patched('release-ended-quota-slots')
    ? await releaseEndedQuotaSlots({ graceMs: input.lapsedGraceMs, limit: input.batchLimit })
    : undefined;

  // Behind a patch too: credential instances whose Wallet Server missed a change (profile §29).
  const credentialInstancesReconciled = patched('reconcile-credential-instances')
    ? await requestCredentialReconciliations({ limit: input.batchLimit, passId: workflowInfo().workflowId })
    : undefined;

  // And the sweep: a page of live instances, so views that drifted apart without a give-up are found.
  const credentialInstancesSwept =
    input.sweepLimit !== undefined && input.sweepLimit > 0 && patched('sweep-credential-instances')
      ? await sweepCredentialInstances({ limit: input.sweepLimit, passId: workflowInfo().workflowId })
      : undefined;

  const summary: ReconciliationSummary = {
    requestsReleased: lapsed.released,
    workflowsStarted: lapsed.started,
    initiatesRolledBack: lapsed.rolledBack,
    verificationsAborted: aborted.length,
    notificationsSent: outcomes.filter((o) => o.delivered).length,
    notificationsFailed: outcomes.filter((o) => !o.delivered).length,
    ...(quotaSlotsReleased === undefined ? {} : { quotaSlotsReleased }),
    ...(credentialInstancesReconciled === undefined ? {} : { credentialInstancesReconciled }),
    ...(credentialInstancesSwept === undefined ? {} : { credentialInstancesSwept }),
  };
  log.info('reconciliation pass', { ...summary });
  return summary;
}
