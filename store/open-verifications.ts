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
/** Random slot numbers tried before the taken ones are listed. */
const randomTries = 4;

export function createOpenVerificationRepository(db: Db) {
  const slots = db.collection<OpenVerificationSlot>(collections.openVerifications);
  return {
    /**
     * Takes a free slot for the verification (or finds the one it holds); false when all `max` are
     * taken. Reads no more than a count while slots are free: a tenant near a cap of thousands
     * does not make every initiate load its open verifications. `newVerification`: the caller has
     * just created the verification (its id is fresh), so it cannot hold a slot yet.
     */
    async acquire(ref: OpenVerificationRef, max: number, options: { newVerification?: boolean } = {}): Promise<boolean> {
      const holder = holderOf(ref);
      if (!options.newVerification && (await slots.findOne({ tenantId: ref.tenantId, holder }, { projection: { _id: 1 } }))) return true;
      // Slots numbered at or above a lowered cap still count until they are released.
      if ((await slots.countDocuments({ tenantId: ref.tenantId })) >= max) return false;
      const tryInsert = async (n: number): Promise<boolean> => {
        try {
          await slots.insertOne({ _id: `${ref.tenantId}#${n}`, tenantId: ref.tenantId, holder, acquiredAt: new Date() });
          return true;
        } catch (error) {
          // Taken, by an open verification or a concurrent initiate: try another one.
          if (!isDuplicateKeyError(error)) throw error;
          return false;
        }
      };
      // Random slots first: concurrent initiates rarely collide, and with free slots one is found
      // in a few tries; then the free ones, from the list of taken numbers.
      for (let i = 0; i < randomTries; i += 1) if (await tryInsert(randomInt(max))) return true;
      const taken = new Set((await slots.find({ tenantId: ref.tenantId }, { projection: { _id: 1 } }).toArray()).map((slot) => slot._id));
      for (let n = 0; n < max; n += 1) if (!taken.has(`${ref.tenantId}#${n}`) && (await tryInsert(n))) return true;
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
