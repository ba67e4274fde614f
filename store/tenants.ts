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
}

/**
 * A client certificate that authenticates a tenant, keyed by its RFC 8705 §3.1 x5t#S256
 * thumbprint (base64url SHA-256 of the DER). A tenant may hold several (certificate rotation).
 */
interface TenantCertificate {
  _id: string;
  tenantId: string;
  certificatePem: string;
  addedAt: Date;
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

    /** Two primary-key reads: certificate → tenant. */
    async findByThumbprint(certThumbprint: string): Promise<Tenant | null> {
      const certificate = await certificates.findOne({ _id: certThumbprint });
      return certificate ? tenants.findOne({ _id: certificate.tenantId }) : null;
    },

    /**
     * Registers a Wallet Server by its certificate, or updates name, notification URL and the
     * quotas given when the certificate is already registered (re-running registration is safe;
     * a quota not given keeps its value). Returns the tenant.
     */
    async register(registration: TenantRegistration): Promise<Tenant> {
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
