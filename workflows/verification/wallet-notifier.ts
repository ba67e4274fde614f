import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { VerificationActivities } from '../../activities/verification-activities';
import type { VerificationStatus } from '../../domain/schemas/verification';
import { outboundActivityOptions } from '../outbound-activity-options';

/**
 * Tells the Wallet Server about status changes (S2S §Verification Notification) in the
 * background: the state machine never waits for it. Notifications are coalesced (one in flight;
 * the next one carries the newest status). Each attempt is one activity execution on the outbound
 * task queue; Temporal waits between attempts (S2S §Rate Limiting: Retry-After, else the draft's
 * backoff, max 3 retries). A notification given up is recorded for reconciliation, because
 * polling /verification/status always gives the truth (S2S §Asynchronous Endpoints) but the
 * Wallet Server should still hear of it eventually.
 */
const { recordNotificationAbandoned } = proxyActivities<VerificationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Workflows started before notifications had their own task queue and record of abandonment. */
const recordsAbandonedNotifications = 'record-abandoned-notifications';

export function createWalletNotifier(ref: { tenantId: string; sessionId: string; verificationId: string }, options: { taskQueue: string }) {
  const { notifyWalletServer } = proxyActivities<VerificationActivities>(outboundActivityOptions({ taskQueue: options.taskQueue, tenantId: ref.tenantId }));
  let latest = 0;
  let latestStatus: VerificationStatus | undefined;
  let delivered = 0;
  /** Once a notification was given up, later deliveries are recorded so reconciliation skips them. */
  let gaveUp = false;
  let running: Promise<void> | undefined;

  async function deliver(): Promise<void> {
    while (delivered < latest) {
      const statusVersion = latest;
      const status = latestStatus;
      try {
        await notifyWalletServer({ ...ref, statusVersion, ...(status ? { status } : {}), recordDelivery: gaveUp });
      } catch {
        log.warn('wallet server notification abandoned after retries', { statusVersion });
        gaveUp = true;
        if (patched(recordsAbandonedNotifications)) await recordNotificationAbandoned({ ...ref, statusVersion });
      }
      delivered = statusVersion;
    }
    running = undefined;
  }

  return {
    /** The status is sent as is (states and codes only), so the attempt need not read it back. */
    statusChanged(statusVersion: number, status?: VerificationStatus): void {
      latest = statusVersion;
      latestStatus = status;
      running ??= deliver();
    },
    /** Waits for notifications in flight (bounded by the retry cap and the Retry-After ceiling). */
    async drain(): Promise<void> {
      await running;
    },
  };
}
