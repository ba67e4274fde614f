import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import type { TenantQuotas } from '../domain/quotas';
import { collections, isDuplicateKeyError } from './mongo';

/** A registered Wallet Server: the tenant every API record is scoped to. */
export interface Tenant {
  _id: string;
  name: string;
  /** Base URL of the Wallet Server Endpoints (…/verification/notify, …/event/notify). */
  notificationBaseUrl: string;
  /** Quotas set at registration (profile §Quotas); a missing one is the configured default. */
  quotas?: Partial<TenantQuotas>;
  createdAt: Date;
  /**
   * Set when an operator deregistered the Wallet Server: none of its certificates authenticate
   * any more, and its records stay until their retention ends (profile §1).
   */
  deregisteredAt?: Date;
}

/**
 * A client certificate that authenticates a tenant, keyed by its RFC 8705 §3.1 x5t#S256
 * thumbprint (base64url SHA-256 of the DER). A tenant may hold several (certificate rotation).
 */
interface TenantCertificate {
  _id: string;
  /** Absent for a certificate revoked before it was ever registered. */
  tenantId?: string;
  certificatePem?: string;
  addedAt?: Date;
  /** A revoked thumbprint never authenticates again, and cannot be registered again (profile §1). */
  revokedAt?: Date;
}

/** Why a certificate cannot be registered. */
export class CertificateRevokedError extends Error {
  constructor() {
    super('this certificate has been revoked and can never be registered again: issue a new one');
  }
}

export interface TenantRegistration {
  name: string;
  certThumbprint: string;
  certificatePem: string;
  notificationBaseUrl: string;
  quotas?: Partial<TenantQuotas>;
}

export function createTenantRepository(db: Db) {
  const tenants = db.collection<Tenant>(collections.tenants);
  const certificates = db.collection<TenantCertificate>(collections.tenantCertificates);
  return {
    findById(tenantId: string): Promise<Tenant | null> {
      return tenants.findOne({ _id: tenantId });
    },

    /**
     * The tenant a client certificate authenticates: two primary-key reads, certificate → tenant.
     * None for an unknown or revoked certificate, or one whose tenant was deregistered.
     */
    async authenticate(certThumbprint: string): Promise<Tenant | null> {
      const certificate = await certificates.findOne({ _id: certThumbprint });
      if (!certificate?.tenantId || certificate.revokedAt) return null;
      const tenant = await tenants.findOne({ _id: certificate.tenantId });
      return tenant && !tenant.deregisteredAt ? tenant : null;
    },

    /** The tenant a certificate was registered to, whether or not it still authenticates. */
    async findByThumbprint(certThumbprint: string): Promise<Tenant | null> {
      const certificate = await certificates.findOne({ _id: certThumbprint });
      return certificate?.tenantId ? tenants.findOne({ _id: certificate.tenantId }) : null;
    },

    /**
     * Revokes a certificate for good: from the next lookup on (profile §1) its thumbprint
     * authenticates no tenant and cannot be registered again. A certificate that was never
     * registered is recorded as revoked too. Repeating keeps the first revocation time.
     */
    async revokeCertificate(certThumbprint: string, at: Date = new Date()): Promise<{ revokedAt: Date; tenantId?: string }> {
      for (;;) {
        const existing = await certificates.findOne({ _id: certThumbprint });
        if (existing?.revokedAt) return { revokedAt: existing.revokedAt, ...(existing.tenantId ? { tenantId: existing.tenantId } : {}) };
        if (existing) {
          const { matchedCount } = await certificates.updateOne({ _id: certThumbprint, revokedAt: { $exists: false } }, { $set: { revokedAt: at } });
          if (matchedCount === 1) return { revokedAt: at, ...(existing.tenantId ? { tenantId: existing.tenantId } : {}) };
          continue; // revoked concurrently: report that revocation
        }
        try {
          await certificates.insertOne({ _id: certThumbprint, revokedAt: at });
          return { revokedAt: at };
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error; // registered concurrently: revoke that one
        }
      }
    },

    /**
     * Deregisters a Wallet Server: marks the tenant and revokes every certificate it holds, so
     * none authenticates again; its records are kept for their retention. Safe to repeat.
     */
    async deregister(tenantId: string, at: Date = new Date()): Promise<Tenant | null> {
      const tenant = await tenants.findOne({ _id: tenantId });
      if (!tenant) return null;
      const deregisteredAt = tenant.deregisteredAt ?? at;
      if (!tenant.deregisteredAt) await tenants.updateOne({ _id: tenantId, deregisteredAt: { $exists: false } }, { $set: { deregisteredAt } });
      await certificates.updateMany({ tenantId, revokedAt: { $exists: false } }, { $set: { revokedAt: deregisteredAt } });
      return tenants.findOne({ _id: tenantId });
    },

    /**
     * Registers a Wallet Server by its certificate, or updates name, notification URL and the
     * quotas given when the certificate is already registered (re-running registration is safe;
     * a quota not given keeps its value). Returns the tenant.
     */
    /**
     * Adds a certificate to a registered tenant (certificate rotation, profile §1): both
     * authenticate the same Wallet Server until the old one is revoked. Refused for a revoked
     * certificate, a deregistered tenant, or a certificate another tenant holds.
     */
    async addCertificate(tenantId: string, certificate: { certThumbprint: string; certificatePem: string }): Promise<Tenant> {
      const tenant = await tenants.findOne({ _id: tenantId });
      if (!tenant) throw new Error(`no tenant ${tenantId}`);
      if (tenant.deregisteredAt) throw new Error(`tenant ${tenantId} is deregistered`);
      const held = await certificates.findOne({ _id: certificate.certThumbprint });
      if (held?.revokedAt) throw new CertificateRevokedError();
      if (held?.tenantId === tenantId) return tenant;
      if (held) throw new Error('this certificate is registered to another Wallet Server');
      try {
        await certificates.insertOne({ _id: certificate.certThumbprint, tenantId, certificatePem: certificate.certificatePem, addedAt: new Date() });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // A concurrent registration of the same certificate: fine only if it was for this tenant.
        if ((await certificates.findOne({ _id: certificate.certThumbprint }))?.tenantId !== tenantId)
          throw new Error('this certificate is registered to another Wallet Server');
      }
      return tenant;
    },

    async register(registration: TenantRegistration): Promise<Tenant> {
      const refuseRevoked = async () => {
        const certificate = await certificates.findOne({ _id: registration.certThumbprint });
        if (certificate?.revokedAt) throw new CertificateRevokedError();
      };
      await refuseRevoked();
      const quotas = definedQuotas(registration.quotas);
      const existing = await this.findByThumbprint(registration.certThumbprint);
      if (existing) {
        const mergedQuotas = { ...existing.quotas, ...quotas };
        const updated: Tenant = {
          ...existing,
          name: registration.name,
          notificationBaseUrl: registration.notificationBaseUrl,
          ...(Object.keys(mergedQuotas).length > 0 ? { quotas: mergedQuotas } : {}),
        };
        await tenants.updateOne(
          { _id: existing._id },
          { $set: { name: updated.name, notificationBaseUrl: updated.notificationBaseUrl, ...(updated.quotas ? { quotas: updated.quotas } : {}) } },
        );
        return updated;
      }
      const tenant: Tenant = {
        _id: randomUUID(),
        name: registration.name,
        notificationBaseUrl: registration.notificationBaseUrl,
        ...(Object.keys(quotas).length > 0 ? { quotas } : {}),
        createdAt: new Date(),
      };
      await tenants.insertOne(tenant);
      try {
        await certificates.insertOne({
          _id: registration.certThumbprint,
          tenantId: tenant._id,
          certificatePem: registration.certificatePem,
          addedAt: new Date(),
        });
        return tenant;
      } catch (error) {
        // A concurrent registration of the same certificate won: drop ours, return the winner.
        await tenants.deleteOne({ _id: tenant._id });
        if (!isDuplicateKeyError(error)) throw error;
        await refuseRevoked();
        const winner = await this.findByThumbprint(registration.certThumbprint);
        if (!winner) throw error;
        return winner;
      }
    },
  };
}
/** The quotas actually given (undefined members dropped, so they do not overwrite stored ones). */
function definedQuotas(quotas: Partial<TenantQuotas> | undefined): Partial<TenantQuotas> {
  return Object.fromEntries(Object.entries(quotas ?? {}).filter(([, value]) => value !== undefined)) as Partial<TenantQuotas>;
}

export type TenantRepository = ReturnType<typeof createTenantRepository>;

/**
 * A tenant lookup that keeps each answer for `ttlMs`: every notification needs the tenant's
 * notification URL, which changes only when an operator re-registers the Wallet Server (so a
 * new URL is used at most `ttlMs` later).
 */
export function cacheTenantLookups(tenants: Pick<TenantRepository, 'findById'>, ttlMs: number, now = Date.now): Pick<TenantRepository, 'findById'> {
  const cache = new Map<string, { tenant: Tenant; until: number }>();
  return {
    async findById(tenantId) {
      const cached = cache.get(tenantId);
      if (cached && cached.until > now()) return cached.tenant;
      const tenant = await tenants.findById(tenantId);
      // Unknown tenants are not cached: a registration that follows is seen at once.
      if (tenant) cache.set(tenantId, { tenant, until: now() + ttlMs });
      return tenant;
    },
  };
}
