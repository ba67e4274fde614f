import { afterWalletEvent, keptWalletEvents } from '../../workflows/credential-lifecycle/state';
import type { CredentialLifecycleState } from '../../workflows/credential-lifecycle/messages';

/** How a Wallet Server event changes a CredentialLifecycleWorkflow's state (profile §29, Events). */
describe('afterWalletEvent', () => {
  const base: CredentialLifecycleState = { readyNotified: [], credentialVersion: 'v2' };
  const at = '2026-12-02T10:00:00.000Z';

  it('keeps the latest events only, oldest dropped first', () => {
    let state = base;
    for (let i = 0; i < keptWalletEvents + 5; i += 1)
      state = afterWalletEvent(state, { eventType: 'KEY_ROTATED', eventTimestamp: at, details: { keyCount: i } });
    expect(state.walletEvents).toHaveLength(keptWalletEvents);
    expect(state.walletEvents?.[0]?.details).toEqual({ keyCount: 5 });
  });

  it('takes the version on the device from PROVISIONING_SUCCESS and UPDATE_SUCCESS only', () => {
    expect(afterWalletEvent(base, { eventType: 'UPDATE_SUCCESS', eventTimestamp: at, details: { credentialVersion: 'v2' } }).walletCredentialVersion).toBe(
      'v2',
    );
    expect(
      afterWalletEvent(base, { eventType: 'PROVISIONING_SUCCESS', eventTimestamp: at, details: { credentialVersion: 'v1' } }).walletCredentialVersion,
    ).toBe('v1');
    expect(
      afterWalletEvent(base, { eventType: 'UPDATE_FAILURE', eventTimestamp: at, details: { credentialVersion: 'v3', failureReason: 'x' } })
        .walletCredentialVersion,
    ).toBeUndefined();
  });

  it('records the Wallet Server’s report on the last change told to it, and nothing when none was told', () => {
    const told: CredentialLifecycleState = { ...base, lastWalletPush: { statusVersion: 3, outcome: 'delivered' } };
    expect(
      afterWalletEvent(told, { eventType: 'LIFECYCLE_FAILURE', eventTimestamp: at, details: { action: 'SUSPEND', failureReason: 'device_offline' } })
        .lastWalletPush,
    ).toEqual({
      statusVersion: 3,
      outcome: 'delivered',
      walletReported: 'failure',
      failureReason: 'device_offline',
    });
    expect(afterWalletEvent(told, { eventType: 'LIFECYCLE_SUCCESS', eventTimestamp: at, details: { action: 'SUSPEND' } }).lastWalletPush).toEqual({
      statusVersion: 3,
      outcome: 'delivered',
      walletReported: 'success',
    });
    expect(afterWalletEvent(base, { eventType: 'LIFECYCLE_SUCCESS', eventTimestamp: at }).lastWalletPush).toBeUndefined();
  });
});
