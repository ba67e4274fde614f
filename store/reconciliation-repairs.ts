import type { Db } from 'mongodb';
import { collections } from './mongo';

/** What reconciliation found and repaired (docs/architecture.md §Reconciliation). */
export type RepairKind =
  /** An initiate died after storing the session and before its workflow started: started now. */
  | 'workflow-started'
  /** An initiate died after storing the session but before its verification data: undone. */
  | 'initiate-rolled-back'
  /** An execution's lease lapsed and no retry came: its x-request-id is free again. */
  | 'request-released'
  /** A verification workflow closed (failed, terminated, timed out) without a final status. */
  | 'verification-aborted'
  /** A status the Wallet Server never acknowledged was sent again. */
  | 'notification-resent'
  /** An open-verification slot whose verification ended or never started was freed (profile §Quotas). */
  | 'quota-slot-released';

export interface Repair {
  kind: RepairKind;
  tenantId: string;
  /** Identifiers only (sessionId, verificationId, x-request-id, workflow id), never data. */
  subject: Record<string, string>;
}

/** Every repair is a document, so operators can count and audit them (and chaos runs read them). */
export function createRepairLog(db: Db) {
  const repairs = db.collection<Repair & { at: Date }>(collections.reconciliationRepairs);
  return {
    async record(repair: Repair): Promise<void> {
      await repairs.insertOne({ ...repair, at: new Date() });
    },
    async countByKind(since = new Date(0)): Promise<Partial<Record<RepairKind, number>>> {
      const counts: Partial<Record<RepairKind, number>> = {};
      for (const repair of await repairs.find({ at: { $gte: since } }, { projection: { kind: 1 } }).toArray())
        counts[repair.kind] = (counts[repair.kind] ?? 0) + 1;
      return counts;
    },
  };
}
export type RepairLog = ReturnType<typeof createRepairLog>;
