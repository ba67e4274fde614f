import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { collections } from './mongo';

/**
 * Every write on the admin listener (verdicts, claims, decisions, offers, one-time codes,
 * sign-in completions), accepted or refused, with the credential that made it (profile §16
 * Admin credentials). Identifiers and outcomes only: no codes, tokens or holder data.
 */
export interface AdminAuditRecord {
  _id: string;
  at: Date;
  actorId: string;
  actorRole: string;
  /** Role provider: the provider the credential speaks for. */
  actorProvider?: string;
  /** Method and route template, e.g. `POST /verdicts`. */
  action: string;
  /** The HTTP status answered. */
  status: number;
  target: Record<string, string | number | boolean | string[]>;
}

export function createAdminAuditRepository(db: Db, now: () => Date = () => new Date()) {
  const records = db.collection<AdminAuditRecord>(collections.adminAudit);
  return {
    async record(entry: Omit<AdminAuditRecord, '_id' | 'at'>): Promise<void> {
      await records.insertOne({ _id: randomUUID(), at: now(), ...entry });
    },

    /** Most recent first. */
    list(filter: { actorId?: string; action?: string; limit?: number } = {}): Promise<AdminAuditRecord[]> {
      return records
        .find({ ...(filter.actorId ? { actorId: filter.actorId } : {}), ...(filter.action ? { action: filter.action } : {}) })
        .sort({ at: -1 })
        .limit(filter.limit ?? 100)
        .toArray();
    },
  };
}
export type AdminAuditRepository = ReturnType<typeof createAdminAuditRepository>;
