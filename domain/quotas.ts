/**
 * Quotas of one Wallet Server (tenant), profile §Quotas. Pure: the API's rate limiter and the
 * open-verification cap apply them; the tenant record carries the values set at registration.
 */
export interface TenantQuotas {
  /** Requests per second refilled into the tenant's bucket (per API process). */
  ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet period. */
  burst: number;
  /** Verifications of the tenant that may be open (not APPROVED, DENIED or EXPIRED) at once. */
  maxOpenVerifications: number;
}

/** A token bucket: `tokens` as of `at` (ms). */
export interface TokenBucket {
  tokens: number;
  at: number;
}

export type TakeTokenResult = { allowed: true; bucket: TokenBucket } | { allowed: false; bucket: TokenBucket; retryAfterSeconds: number };

/**
 * Refills the bucket for the time elapsed since it was last seen and takes one token. A refused
 * request takes nothing, so a client that floods is limited to the rate, not locked out; the
 * Retry-After it is given is when the next token is there (whole seconds, at least 1: RFC 9110
 * §10.2.3 delay-seconds).
 */
export function takeToken(bucket: TokenBucket | undefined, quota: Pick<TenantQuotas, 'ratePerSecond' | 'burst'>, now: number): TakeTokenResult {
  const elapsed = bucket ? Math.max(0, now - bucket.at) : 0;
  const tokens = bucket ? Math.min(quota.burst, bucket.tokens + (elapsed / 1000) * quota.ratePerSecond) : quota.burst;
  if (tokens >= 1) return { allowed: true, bucket: { tokens: tokens - 1, at: now } };
  const wait = quota.ratePerSecond > 0 ? (1 - tokens) / quota.ratePerSecond : Number.POSITIVE_INFINITY;
  return { allowed: false, bucket: { tokens, at: now }, retryAfterSeconds: Math.max(1, Math.min(3600, Math.ceil(wait))) };
}

/** The tenant's own quotas where registration set them, the configured defaults otherwise. */
export function effectiveQuotas(tenantQuotas: Partial<TenantQuotas> | undefined, defaults: TenantQuotas): TenantQuotas {
  return {
    ratePerSecond: tenantQuotas?.ratePerSecond ?? defaults.ratePerSecond,
    burst: tenantQuotas?.burst ?? defaults.burst,
    maxOpenVerifications: tenantQuotas?.maxOpenVerifications ?? defaults.maxOpenVerifications,
  };
}

/**
 * Interleaves per-tenant queues so that no tenant's flood hides another's oldest items: round r
 * takes every tenant's r-th oldest item, and within a round the older item comes first. Each
 * list must already be oldest first.
 */
export function interleaveByTenant<T>(queues: readonly (readonly T[])[], createdAt: (item: T) => number, limit: number): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...queues.map((queue) => queue.length));
  for (let round = 0; round < longest && out.length < limit; round += 1) {
    const items = queues.flatMap((queue) => (round < queue.length ? [queue[round] as T] : []));
    items.sort((a, b) => createdAt(a) - createdAt(b));
    out.push(...items.slice(0, limit - out.length));
  }
  return out;
}
