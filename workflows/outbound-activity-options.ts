import type { ActivityOptions } from '@temporalio/workflow';
import { maxOutboundAttempts, outboundAttemptTimeLimitMs } from '../domain/outbound-retry';

/**
 * Options of every activity that calls a tenant's Wallet Server (docs/architecture.md §Outbound
 * calls): its own task queue, served by a worker with bounded concurrency, so a Wallet Server that
 * is down never takes the slots evaluations need; a fairness key per tenant, so one tenant's
 * backlog does not hold back another's calls; and the draft's attempt count (S2S §Rate Limiting:
 * max 3 retries). The activity makes one HTTP attempt and sets the delay before the next
 * (nextRetryDelay); the policy's intervals apply only to failures without one (a crash, a timeout).
 */
export function outboundActivityOptions(options: { taskQueue: string; tenantId: string }): ActivityOptions {
  return {
    taskQueue: options.taskQueue,
    startToCloseTimeout: outboundAttemptTimeLimitMs,
    retry: { maximumAttempts: maxOutboundAttempts, initialInterval: '1 second', backoffCoefficient: 5, maximumInterval: '30 seconds' },
    // Task-queue fairness (needs matching.enableFairness on the Temporal server): dispatch from a
    // backlog round-robin between tenants instead of first come, first served.
    priority: { fairnessKey: options.tenantId },
  };
}
