import type { Db } from 'mongodb';
import { collections, isDuplicateKeyError } from './mongo';

/**
 * Device slots of an approved session (profile §Device migration): a session approved with
 * authorizedDeviceCount N can hand its approval to N − 1 further Wallet Client Instances.
 * Each slot is a document keyed `<previous session>#<k>`: inserting it claims it, so two
 * migrations can never take the same slot (no transactions needed).
 */
interface DeviceSlot {
  _id: string;
  previousSessionKey: string;
  tenantId: string;
  newSessionId: string;
  claimedAt: Date;
}

export function createDeviceMigrationRepository(db: Db) {
  const slots = db.collection<DeviceSlot>(collections.deviceMigrations);
  return {
    /** Claims a free slot for `newSessionId` (or finds the one it already holds); false when all are taken. */
    async claimSlot(previousSessionKey: string, tenantId: string, newSessionId: string, slotCount: number): Promise<boolean> {
      for (let k = 1; k <= slotCount; k += 1) {
        const id = `${previousSessionKey}#${k}`;
        try {
          await slots.insertOne({ _id: id, previousSessionKey, tenantId, newSessionId, claimedAt: new Date() });
          return true;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          if ((await slots.findOne({ _id: id }))?.newSessionId === newSessionId) return true;
        }
      }
      return false;
    },
  };
}
export type DeviceMigrationRepository = ReturnType<typeof createDeviceMigrationRepository>;
