import { log, proxyActivities } from '@temporalio/workflow';
import type { VerificationActivities } from '../../activities/verification-activities';

/**
 * Tells the Wallet Server about status changes (S2S §Verification Notification) in the
 * background: the state machine never waits for it. Notifications are coalesced (one in flight;
 * the next one carries the newest status) and give up after a capped number of retries, because
 * polling /verification/status always gives the truth (S2S §Asynchronous Endpoints).
 */
const { notifyWalletServer } = proxyActivities<VerificationActivities>({
  // The activity itself retries 429/5xx on the draft's schedule (S2S §Rate Limiting) within this.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 6 },
});

export function createWalletNotifier(ref: { tenantId: string; sessionId: string; verificationId: string }) {
  let latest = 0;
  let delivered = 0;
  let running: Promise<void> | undefined;

  async function deliver(): Promise<void> {
    while (delivered < latest) {
      const statusVersion = latest;
      try {
        await notifyWalletServer({ ...ref, statusVersion });
      } catch {
        log.warn('wallet server notification abandoned after retries', { statusVersion });
      }
      delivered = statusVersion;
    }
    running = undefined;
  }

  return {
    statusChanged(statusVersion: number): void {
      latest = statusVersion;
      running ??= deliver();
    },
    /** Waits for notifications in flight (bounded by the retry cap). */
    async drain(): Promise<void> {
      await running;
    },
  };
}
