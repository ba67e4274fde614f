import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { collections, isDuplicateKeyError } from './mongo';

/** A registered Wallet Server: the tenant every API record is scoped to. */
export interface Tenant {
  _id: string;
  name: string;
  /** RFC 8705 §3.1 x5t#S256: base64url SHA-256 of the client certificate's DER. */
  certThumbprint: string;
  certificatePem: string;
  /** Base URL of the Wallet Server Endpoints (…/verification/notify, …/event/notify). */
  notificationBaseUrl: string;
  createdAt: Date;
}

export interface TenantRegistration {
  name: string;
  certThumbprint: string;
  certificatePem: string;
  notificationBaseUrl: string;
}

export function createTenantRepository(db: Db) {
  const tenants = db.collection<Tenant>(collections.tenants);
  return {
    findByThumbprint(certThumbprint: string): Promise<Tenant | null> {
      return tenants.findOne({ certThumbprint });
    },

    /**
     * Registers a Wallet Server, or updates name and notification URL when its certificate is
     * already registered (so re-running registration is safe). Returns the stored tenant.
     */
    async register(registration: TenantRegistration): Promise<Tenant> {
      const existing = await tenants.findOne({ certThumbprint: registration.certThumbprint });
      if (existing) {
        await tenants.updateOne(
          { _id: existing._id },
          { $set: { name: registration.name, notificationBaseUrl: registration.notificationBaseUrl } },
        );
        return { ...existing, name: registration.name, notificationBaseUrl: registration.notificationBaseUrl };
      }
      const tenant: Tenant = { _id: randomUUID(), ...registration, createdAt: new Date() };
      try {
        await tenants.insertOne(tenant);
        return tenant;
      } catch (error) {
        // A concurrent registration of the same certificate won the race: return its record.
        if (!isDuplicateKeyError(error)) throw error;
        const winner = await tenants.findOne({ certThumbprint: registration.certThumbprint });
        if (!winner) throw error;
        return winner;
      }
    },
  };
}
export type TenantRepository = ReturnType<typeof createTenantRepository>;
