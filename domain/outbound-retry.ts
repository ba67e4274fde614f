/**
 * When to try an outbound call to a Wallet Server again (S2S §Rate Limiting: "Clients receiving
 * HTTP 429 MUST honor the Retry-After header. Exponential backoff is RECOMMENDED: 0–1s, 1.1–5s,
 * 5.1–30s (max 3 retries)"). Pure: the random draw is passed in, so workflows (for the retry
 * policy's attempt count) and activities (for each delay) share one schedule.
 */

/** The draft's backoff windows, one per retry, in milliseconds (inclusive bounds). */
export const draftBackoffWindowsMs: readonly (readonly [number, number])[] = [
  [0, 1000],
  [1100, 5000],
  [5100, 30000],
];

/** S2S §Rate Limiting: "max 3 retries", so at most 4 attempts of one call. */
export const maxOutboundRetries = draftBackoffWindowsMs.length;
export const maxOutboundAttempts = 1 + maxOutboundRetries;

/**
 * Temporal's limit on one attempt (startToCloseTimeout). The HTTP request timeout must stay below
 * it, so an attempt always ends with the client's own classification.
 */
export const outboundAttemptTimeLimitMs = 60_000;

/** Retry-After values above this are cut to it unless configured otherwise (profile §14). */
export const defaultRetryAfterCeilingMs = 60 * 60 * 1000;

/**
 * How long to wait after attempt `attempt` (1-based) failed, or undefined when the draft's
 * retries are spent. A Retry-After the Wallet Server sent wins, as given, up to the ceiling;
 * otherwise a uniformly random delay in the window of this retry.
 */
export function outboundRetryDelayMs(options: {
  attempt: number;
  retryAfterMs?: number;
  retryAfterCeilingMs: number;
  random: () => number;
}): number | undefined {
  const window = draftBackoffWindowsMs[options.attempt - 1];
  if (!window || options.attempt < 1) return undefined;
  if (options.retryAfterMs !== undefined) return Math.min(Math.max(0, options.retryAfterMs), options.retryAfterCeilingMs);
  const [low, high] = window;
  return low + Math.min(high - low, Math.floor(options.random() * (high - low + 1)));
}

/**
 * Largest answer body read from a Wallet Server (S2S_OUTBOUND_RESPONSE_MAX_BYTES). The answers the
 * issuer reads are small: S2S §Verification Notification answers echo two ids; 64 KiB leaves room
 * for a Problem Details body and extensions.
 */
export const defaultMaxResponseBytes = 64 * 1024;
