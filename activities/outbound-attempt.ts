import { ApplicationFailure } from '@temporalio/activity';
import type { WalletServerAnswer } from '../clients/wallet-servers/wallet-server-client';
import type { Tenant } from '../store/tenants';
import { outboundRetryDelayMs } from '../domain/outbound-retry';

/**
 * The pattern of every outbound call: one HTTP attempt per activity execution; when it does not
 * deliver, the activity fails and Temporal waits before the next attempt (nextRetryDelay), so a
 * worker slot is held only for the attempt itself, never for the wait (docs/architecture.md
 * §Outbound calls).
 */
export const outboundFailureType = {
  /** A 4xx other than 408/429: the same request would be refused again. */
  refused: 'WalletServerRefused',
  /** No answer, no connection, 408, 429 or 5xx. */
  unavailable: 'WalletServerUnavailable',
} as const;

export interface OutboundAttempt {
  /** What was attempted, for the failure message (identifiers only). */
  what: string;
  /** This attempt's number, from Context.current().info.attempt (1 for the first). */
  attempt: number;
  /** Retry-After values are honoured up to this (profile §14). */
  retryAfterCeilingMs: number;
  random?: () => number;
}

/**
 * The failure an outbound activity throws for an attempt that did not deliver: non-retryable
 * when the answer is final or the draft's retries are spent (S2S §Rate Limiting: max 3 retries),
 * otherwise retryable after the Wallet Server's Retry-After or the draft's backoff for this retry.
 */
export function outboundAttemptFailure(answer: Exclude<WalletServerAnswer, { outcome: 'delivered' }>, attempt: OutboundAttempt): ApplicationFailure {
  const message = `${attempt.what}: ${answer.reason} (attempt ${attempt.attempt})`;
  if (answer.outcome === 'refused') return ApplicationFailure.create({ type: outboundFailureType.refused, message, nonRetryable: true });
  const delayMs = outboundRetryDelayMs({
    attempt: attempt.attempt,
    ...(answer.retryAfterMs !== undefined ? { retryAfterMs: answer.retryAfterMs } : {}),
    retryAfterCeilingMs: attempt.retryAfterCeilingMs,
    random: attempt.random ?? Math.random,
  });
  if (delayMs === undefined)
    return ApplicationFailure.create({ type: outboundFailureType.unavailable, message: `${message}; retries spent`, nonRetryable: true });
  // A zero delay would read as "unset" and fall back to the retry policy's interval.
  return ApplicationFailure.create({ type: outboundFailureType.unavailable, message, nextRetryDelay: Math.max(1, delayMs) });
}

/**
 * The Wallet Server an outbound call goes to: registered and not deregistered, or a non-retryable
 * failure (a deregistered Wallet Server is no longer a party the issuer talks to, profile §1).
 */
export function reachableTenant(tenant: Tenant | null, tenantId: string): Tenant {
  if (!tenant) throw ApplicationFailure.nonRetryable(`tenant ${tenantId} is not registered`, 'TenantMissing');
  if (tenant.deregisteredAt) throw ApplicationFailure.nonRetryable(`tenant ${tenantId} is deregistered`, 'TenantDeregistered');
  return tenant;
}
