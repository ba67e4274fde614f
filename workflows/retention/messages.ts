/** The Temporal Schedule that runs retentionWorkflow (one per namespace and task queue). */
export function retentionScheduleId(taskQueue: string): string {
  return `retention-${taskQueue}`;
}

export interface RetentionInput {
  /** Most items of each kind per activity; the next pass takes the rest. */
  batchLimit: number;
}

/** How many items of each kind one pass deleted or reduced. */
export interface RetentionSummary {
  evidenceRemoved: number;
  sessionsRetired: number;
  oneTimeCodeRecords: number;
  credentialOffers: number;
  repairRecords: number;
  idempotencyRecords: number;
  /** Expired contents delivered by reference (profile §25); absent from passes that began before this sweep existed. */
  contentDownloads?: number;
  /** Expired credential requests, deliveries and issued credential sets (profile §25); absent in passes before they existed. */
  issuanceRecords?: number;
}
