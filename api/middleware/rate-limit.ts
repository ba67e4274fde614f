import { effectiveQuotas, takeToken, type TenantQuotas, type TokenBucket } from '../../domain/quotas';
import { problems } from '../../domain/problems';
import type { ApiMiddleware } from '../context';

export interface RateLimitOptions {
  /** Quotas of tenants whose registration set none (config/config.ts). */
  defaults: TenantQuotas;
  /** Most buckets kept; beyond it the least recently used is dropped (it refills to full anyway). */
  maxTenants?: number;
  now?: () => number;
}

/**
 * S2S §Rate Limiting: a token bucket per tenant, in this process's memory. It runs right after
 * the tenant is known and before anything reads the body, so a refused request costs the server
 * no parsing, no database and no workflow: a flood is answered 429 with Retry-After.
 *
 * Each API process keeps its own buckets (profile §Quotas): with N instances behind a load
 * balancer a tenant may send up to N times its rate; configure the per-process rate as the
 * tenant's rate divided by N. Memory is bounded by maxTenants buckets of two numbers each.
 */
export function limitRequestRate(options: RateLimitOptions): ApiMiddleware {
  const maxTenants = options.maxTenants ?? 10_000;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const buckets = new Map<string, TokenBucket>();
  return async (ctx, next) => {
    const tenant = ctx.state.tenant;
    const quotas = effectiveQuotas(tenant.quotas, options.defaults);
    const result = takeToken(buckets.get(tenant._id), quotas, now());
    buckets.delete(tenant._id);
    buckets.set(tenant._id, result.bucket);
    if (buckets.size > maxTenants) {
      const oldest = buckets.keys().next().value;
      if (oldest !== undefined) buckets.delete(oldest);
    }
    if (!result.allowed) throw problems.rateLimited(result.retryAfterSeconds);
    await next();
  };
}
