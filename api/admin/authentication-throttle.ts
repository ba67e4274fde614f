/**
 * Failed authentications on the admin listener, counted per remote address in fixed windows
 * (profile §16 Admin credentials): after `maxFailures` failures within `windowMs`, the address is
 * answered 429 until its window ends, whatever it presents, so guessing tokens does not scale.
 * In memory and bounded: with more than `maxAddresses` addresses the oldest entry goes.
 */
export interface AuthenticationThrottleOptions {
  maxFailures: number;
  windowMs: number;
  maxAddresses?: number;
  now?: () => number;
}

export function createAuthenticationThrottle(options: AuthenticationThrottleOptions) {
  const now = options.now ?? Date.now;
  const maxAddresses = options.maxAddresses ?? 10_000;
  const windows = new Map<string, { startedAt: number; failures: number }>();

  const live = (address: string, at: number) => {
    const entry = windows.get(address);
    if (entry && at - entry.startedAt >= options.windowMs) {
      windows.delete(address);
      return undefined;
    }
    return entry;
  };

  return {
    /** Seconds until `address` may try again, or undefined when it may try now. */
    retryAfterSeconds(address: string): number | undefined {
      const at = now();
      const entry = live(address, at);
      if (!entry || entry.failures < options.maxFailures) return undefined;
      return Math.max(1, Math.ceil((entry.startedAt + options.windowMs - at) / 1000));
    },

    recordFailure(address: string): void {
      const at = now();
      const entry = live(address, at);
      if (entry) {
        entry.failures += 1;
        return;
      }
      if (windows.size >= maxAddresses) {
        for (const [key, value] of windows) if (at - value.startedAt >= options.windowMs) windows.delete(key);
        // Maps iterate in insertion order: the first key is the oldest window.
        const oldest = windows.keys().next();
        if (windows.size >= maxAddresses && !oldest.done) windows.delete(oldest.value);
      }
      windows.set(address, { startedAt: at, failures: 1 });
    },

    /** Addresses tracked now (for tests of the bound). */
    size: () => windows.size,
  };
}
export type AuthenticationThrottle = ReturnType<typeof createAuthenticationThrottle>;
