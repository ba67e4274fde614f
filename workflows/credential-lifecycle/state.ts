import { CredentialStatus } from '../../domain/credential-lifecycle';
import type { CredentialLifecycleState, DeferredIssuance, LifecycleRecord, WalletEventRecord } from './messages';

/** How long a deferred issuance waits before looking at the data again when nothing else says (S2S §Overview: PENDING). */
export const defaultDeferredPollMs = 3_600_000;
/** Not more often than this, whatever the estimate says, so a past notReadyUntil does not spin. */
export const minimumDeferredWaitMs = 1_000;
/** CREDENTIAL_READY request ids kept in the state (the query and continueAsNew carry them). */
export const keptNotifications = 20;
/** History length at which the workflow continues as new (Temporal also suggests it, continueAsNewSuggested). */
export const historyEventLimit = 10_000;

/**
 * The wait before the next look at holder data that is not ready: until the issuer's estimate
 * (notReadyUntil), but never longer than the poll interval and never shorter than a second.
 */
export function deferredWaitMs(deferred: Pick<DeferredIssuance, 'notReadyUntil'>, nowMs: number, pollMs = defaultDeferredPollMs): number {
  const estimate = deferred.notReadyUntil === undefined ? Number.NaN : Date.parse(deferred.notReadyUntil) - nowMs;
  const wait = Number.isFinite(estimate) ? Math.min(estimate, pollMs) : pollMs;
  return Math.max(minimumDeferredWaitMs, wait);
}

/** The state without a deferred issuance. */
export function withoutDeferral(state: CredentialLifecycleState): CredentialLifecycleState {
  const rest = { ...state };
  delete rest.deferred;
  return rest;
}

/**
 * The instance's lifecycle record; a state carried from a run before the lifecycle existed has
 * none: IN_PROCESS until something was issued, ACTIVE after (profile §29).
 */
export function lifecycleOf(state: CredentialLifecycleState, startedAt: string): LifecycleRecord {
  return (
    state.lifecycle ?? {
      status: state.credentialVersion === undefined ? CredentialStatus.inProcess : CredentialStatus.active,
      statusVersion: 0,
      changedAt: startedAt,
      reason: state.credentialVersion === undefined ? 'provisioned' : 'issued',
    }
  );
}

/** The state after a CREDENTIAL_READY for `requestId` was sent (or given up): no longer deferred. */
export function afterReadyNotified(state: CredentialLifecycleState, requestId: string): CredentialLifecycleState {
  return { ...withoutDeferral(state), readyNotified: [...state.readyNotified, requestId].slice(-keptNotifications) };
}

/** Wallet Server events kept in the state (the query and continueAsNew carry them). */
export const keptWalletEvents = 20;

/**
 * The state after a Wallet Server event (profile §29): every event is kept (bounded); a
 * LIFECYCLE_SUCCESS / _FAILURE answers the last change the issuer told it, and a
 * PROVISIONING_SUCCESS / UPDATE_SUCCESS says which credentialVersion the device holds. The other
 * events change nothing here: the Wallet Server follows them with a get (a refresh, new keys,
 * a retry), which issues as any get does.
 */
export function afterWalletEvent(state: CredentialLifecycleState, event: WalletEventRecord): CredentialLifecycleState {
  const next: CredentialLifecycleState = { ...state, walletEvents: [...(state.walletEvents ?? []), event].slice(-keptWalletEvents) };
  const version = event.details?.credentialVersion;
  if (event.eventType === 'PROVISIONING_FAILURE') next.provisioningFailures = (state.provisioningFailures ?? 0) + 1;
  if (event.eventType === 'PROVISIONING_SUCCESS') delete next.provisioningFailures;
  if ((event.eventType === 'PROVISIONING_SUCCESS' || event.eventType === 'UPDATE_SUCCESS') && typeof version === 'string')
    next.walletCredentialVersion = version;
  if ((event.eventType === 'LIFECYCLE_SUCCESS' || event.eventType === 'LIFECYCLE_FAILURE') && state.lastWalletPush) {
    const failureReason = event.details?.failureReason;
    next.lastWalletPush = {
      statusVersion: state.lastWalletPush.statusVersion,
      outcome: state.lastWalletPush.outcome,
      walletReported: event.eventType === 'LIFECYCLE_SUCCESS' ? 'success' : 'failure',
      ...(typeof failureReason === 'string' ? { failureReason } : {}),
    };
  }
  return next;
}
