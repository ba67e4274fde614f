/** The Temporal Schedule that runs reconciliationWorkflow (one per namespace and task queue). */
export function reconciliationScheduleId(taskQueue: string): string {
  return `reconciliation-${taskQueue}`;
}

export interface ReconciliationInput {
  /** How long after its lease lapsed an execution counts as abandoned (no retry is coming). */
  lapsedGraceMs: number;
  /** How far back to look for verification workflows that closed without completing. */
  closedLookbackMs: number;
  /** Most repairs of each kind per run; the next run takes the rest. */
  batchLimit: number;
  /** Where calls to Wallet Servers run (docs/architecture.md §Outbound calls). */
  outboundTaskQueue: string;
  /** A notification given up this long ago is tried again (once per pass). */
  notificationResendAfterMs: number;
  /** Notifications given up longer ago than this are left to polling. */
  notificationLookbackMs: number;
  /**
   * Credential instances the sweep asks to reconcile per pass (profile §29); 0 or absent (a
   * Schedule made before the sweep existed): none.
   */
  sweepLimit?: number;
}

export interface ReconciliationSummary {
  requestsReleased: number;
  workflowsStarted: number;
  initiatesRolledBack: number;
  verificationsAborted: number;
  /** Notifications of aborted verifications, and given-up notifications sent again, delivered now. */
  notificationsSent: number;
  notificationsFailed: number;
  /** Open-verification slots freed whose verification had ended or never started (profile §Quotas). */
  quotaSlotsReleased?: number;
  /** Credential instances asked to reconcile with their Wallet Server (profile §29); absent in passes before it. */
  credentialInstancesReconciled?: number;
  /** Credential instances the sweep asked to reconcile (profile §29); absent in passes before it or with the sweep off. */
  credentialInstancesSwept?: number;
}
