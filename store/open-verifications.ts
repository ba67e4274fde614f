import { randomInt } from 'node:crypto';
import type { Db } from 'mongodb';
import { collections, isDuplicateKeyError } from './mongo';

/** The verification holding a slot. */
export interface OpenVerificationRef {
  tenantId: string;
  sessionId: string;
  verificationId: string;
}

/**
 * One of a tenant's open-verification slots (profile §Quotas): `_id` is `<tenantId>#<n>` with n
 * below the tenant's cap, so "at most N open" is decided by inserts on _id — first one wins, with
 * no transaction and no count-then-insert race (conditional updates are not atomic on FerretDB).
 */
interface OpenVerificationSlot {
  _id: string;
  tenantId: string;
  holder: string;
  acquiredAt: Date;
}

function holderOf(ref: OpenVerificationRef): string {
  return `${ref.tenantId}/${ref.sessionId}/${ref.verificationId}`;
}

/**
 * The cap on a tenant's open verifications. The collection holds only verifications that have
 * not ended, so it stays small (at most the sum of the caps) and a query by tenant is cheap even
 * where FerretDB does not use the tenant index. Every operation is safe to repeat: acquiring again
 * for the same verification finds its slot, releasing a released slot does nothing; a slot that a
 * crash left behind is released by reconciliation (releaseEndedSlots).
 */
export function createOpenVerificationRepository(db: Db) {
  const slots = db.collection<OpenVerificationSlot>(collections.openVerifications);
  return {
    /** Takes a free slot for the verification (or finds the one it holds); false when all `max` are taken. */
    async acquire(ref: OpenVerificationRef, max: number): Promise<boolean> {
      const holder = holderOf(ref);
      const held = await slots.find({ tenantId: ref.tenantId }).toArray();
      if (held.some((slot) => slot.holder === holder)) return true;
      const taken = new Set(held.map((slot) => slot._id));
      // Slots numbered at or above a lowered cap still count until they are released.
      if (held.length >= max) return false;
      // Concurrent initiates start at different slots, so they rarely collide on the same insert.
      const start = randomInt(max);
      for (let i = 0; i < max; i += 1) {
        const _id = `${ref.tenantId}#${(start + i) % max}`;
        if (taken.has(_id)) continue;
        try {
          await slots.insertOne({ _id, tenantId: ref.tenantId, holder, acquiredAt: new Date() });
          return true;
        } catch (error) {
          // A concurrent initiate took this slot first: try the next one.
          if (!isDuplicateKeyError(error)) throw error;
          taken.add(_id);
        }
      }
      return false;
    },

    /** Frees the verification's slot; nothing happens when it holds none. */
    async release(ref: OpenVerificationRef): Promise<void> {
      await slots.deleteMany({ tenantId: ref.tenantId, holder: holderOf(ref) });
    },

    /** How many slots the tenant holds (operators, tests). */
    countHeld(tenantId: string): Promise<number> {
      return slots.countDocuments({ tenantId });
    },

    /** Slots taken before `before`, oldest first: candidates for reconciliation to check. */
    async listHeldBefore(before: Date, limit: number): Promise<(OpenVerificationRef & { acquiredAt: Date })[]> {
      const found = await slots
        .find({ acquiredAt: { $lt: before } })
        .sort({ acquiredAt: 1 })
        .limit(limit)
        .toArray();
      return found.flatMap((slot) => {
        const [tenantId, sessionId, verificationId] = slot.holder.split('/');
        return tenantId && sessionId && verificationId ? [{ tenantId, sessionId, verificationId, acquiredAt: slot.acquiredAt }] : [];
      });
    },
  };
}
export type OpenVerificationRepository = ReturnType<typeof createOpenVerificationRepository>;
