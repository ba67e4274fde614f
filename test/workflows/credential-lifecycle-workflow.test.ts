import { randomUUID } from 'node:crypto';
import { type createCredentialLifecycleWorkflows, IssueRequestUnprovenError } from '../../clients/temporal/credential-lifecycle-workflows';
import { credentialLifecycleWorkflowId, type CredentialLifecycleInput } from '../../workflows/credential-lifecycle/messages';
import { tenantIdAttribute, waitingForAttribute, waitingSinceAttribute } from '../../workflows/verification/search-attributes';
import {
  credentialConfigurationIdAttribute,
  credentialStatusAttribute,
  credentialWalletSyncAttribute,
  lastOutboundOutcomeAttribute,
} from '../../workflows/credential-lifecycle/search-attributes';
import { lifecycleTestKit } from '../support/lifecycle-workflow';
import { useTimeSkippingEnvironment } from '../support/time-skipping';

const hour = 3_600_000;
const day = 24 * hour;

const environment = useTimeSkippingEnvironment();

const { scriptedIssuance, instance, withLifecycle, eventually } = lifecycleTestKit(environment);

describe('CredentialLifecycleWorkflow gets (S2S §Get Credential)', () => {
  it('issues when the holder data is ready and answers with references and the credential version only', async () => {
    const { activities, issued } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      const requestId = randomUUID();
      expect(await lifecycle.issue(input, { requestRef: 'request-1', requestId })).toEqual({
        outcome: 'issued',
        credentialVersion: 'version-1',
        deliveryRef: `delivery-${requestId}`,
      });
      expect(await state()).toEqual({
        credentialVersion: 'version-1',
        readyNotified: [],
        lifecycle: expect.objectContaining({ status: 'ACTIVE', reason: 'issued' }),
      });
      // What an operator filters on in the Temporal UI.
      const description = await environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input)).describe();
      expect(description.typedSearchAttributes.get(tenantIdAttribute)).toBe(input.tenantId);
    });
    expect(issued).toHaveLength(1);
  });

  it('answers a get retried with the same x-request-id from the same Update: issuance runs once', async () => {
    const { activities, issued } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle }) => {
      const requestId = randomUUID();
      const first = await lifecycle.issue(input, { requestRef: 'request-1', requestId });
      const retried = await lifecycle.issue(input, { requestRef: 'request-1', requestId });
      expect(retried).toEqual(first);
      // A new get (another x-request-id) is a new issuance.
      await lifecycle.issue(input, { requestRef: 'request-2', requestId: randomUUID() });
    });
    expect(issued).toHaveLength(2);
  });

  it('refuses a get without the API’s proof of origin and issues nothing', async () => {
    const { activities, issued } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(
      activities,
      input,
      async ({ lifecycle }) => {
        await expect(lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() })).rejects.toBeInstanceOf(IssueRequestUnprovenError);
      },
      { proofs: false },
    );
    expect(issued).toEqual([]);
  });
});

describe('CredentialLifecycleWorkflow history', () => {
  it('continues as new when its history grows, carrying the credential version and a deferral on', async () => {
    const { activities, data } = scriptedIssuance({ ready: true });
    const input = instance({ historyEventLimit: 40, deferredPollMs: day });
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      const handle = environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input));
      const { runId: firstRun } = await handle.describe();
      for (let i = 0; i < 6; i += 1)
        expect(await lifecycle.issue(input, { requestRef: `request-${i}`, requestId: randomUUID() })).toMatchObject({ outcome: 'issued' });
      data.ready = false;
      const deferredGet = randomUUID();
      expect(await lifecycle.issue(input, { requestRef: 'request-deferred', requestId: deferredGet })).toEqual({ outcome: 'pending' });
      const carried = await eventually(
        async () => ({ runId: (await handle.describe()).runId, state: await state() }),
        (now) => now.runId !== firstRun,
      );
      expect(carried.runId).not.toBe(firstRun);
      expect(carried.state).toEqual({
        credentialVersion: 'version-1',
        deferred: { triggeringRequestId: deferredGet },
        readyNotified: [],
        lifecycle: expect.objectContaining({ status: 'ACTIVE', statusVersion: 1 }),
      });
      // The new run still takes gets.
      data.ready = true;
      expect(await lifecycle.issue(input, { requestRef: 'request-after', requestId: randomUUID() })).toMatchObject({ outcome: 'issued' });
    });
  });
});

describe('CredentialLifecycleWorkflow deferred issuance (profile §25)', () => {
  it('defers a get, looks again on a Temporal timer at the issuer’s estimate, sends CREDENTIAL_READY once, and issues the next get', async () => {
    const start = await environment().currentTimeMs();
    const readyAtMs = start + 2 * hour;
    const { activities, issued, checks, notified } = scriptedIssuance({
      ready: false,
      readyAtMs,
      notReadyUntil: () => new Date(readyAtMs).toISOString(),
    });
    // The poll interval is far longer than the estimate: the estimate decides the wait.
    const input = instance({ deferredPollMs: 10 * hour });
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      const deferredGet = randomUUID();
      expect(await lifecycle.issue(input, { requestRef: 'request-1', requestId: deferredGet })).toEqual({
        outcome: 'pending',
        notReadyUntil: new Date(readyAtMs).toISOString(),
      });
      expect((await state()).deferred).toEqual({ triggeringRequestId: deferredGet, notReadyUntil: new Date(readyAtMs).toISOString() });
      expect(checks).toEqual([]);

      await environment().sleep(3 * hour);
      const after = await eventually(state, (s) => s.readyNotified.length > 0);
      expect(after).toEqual({ readyNotified: [deferredGet] });
      expect(notified).toHaveLength(1);
      expect(notified[0]?.triggeringRequestId).toBe(deferredGet);
      // The one look at the data was at the estimate, two hours on (timer), not before.
      expect(checks).toHaveLength(1);
      expect(checks[0]).toBeGreaterThanOrEqual(readyAtMs);
      expect(checks[0]).toBeLessThan(readyAtMs + hour);
      expect(Date.parse(notified[0]?.eventTimestamp ?? '')).toBeGreaterThanOrEqual(readyAtMs);

      const nextGet = randomUUID();
      expect(await lifecycle.issue(input, { requestRef: 'request-2', requestId: nextGet })).toMatchObject({ outcome: 'issued' });
      // Nothing more is sent, however long the instance lives.
      await environment().sleep(2 * day);
      expect(notified).toHaveLength(1);
      expect(issued).toEqual([nextGet]);
    });
  });

  it('keeps looking every deferredPollMs while the data stays pending without an estimate', async () => {
    const start = await environment().currentTimeMs();
    const { activities, checks, notified } = scriptedIssuance({ ready: false, readyAtMs: start + 5 * hour + 30 * 60_000 });
    const input = instance({ deferredPollMs: 2 * hour });
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      expect(await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() })).toEqual({ outcome: 'pending' });
      await environment().sleep(7 * hour);
      await eventually(state, (s) => s.readyNotified.length > 0);
      // Looks at 2 h and 4 h find nothing; the one at 6 h finds the data ready.
      expect(checks.map((at) => Math.round((at - start) / hour))).toEqual([2, 4, 6]);
      expect(notified).toHaveLength(1);
    });
  });

  it('looks at the data at once when the back office signals a change, without waiting for the timer', async () => {
    const { activities, data, checks, notified } = scriptedIssuance({ ready: false });
    const input = instance({ deferredPollMs: day });
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      const deferredGet = randomUUID();
      const before = await environment().currentTimeMs();
      expect(await lifecycle.issue(input, { requestRef: 'request-1', requestId: deferredGet })).toEqual({ outcome: 'pending' });
      data.ready = true;
      await lifecycle.holderDataChanged(input);
      const after = await eventually(state, (s) => s.readyNotified.length > 0);
      expect(after.readyNotified).toEqual([deferredGet]);
      expect(notified.map((n) => n.triggeringRequestId)).toEqual([deferredGet]);
      expect(checks).toHaveLength(1);
      // Well before the day-long timer.
      expect((checks[0] as number) - before).toBeLessThan(hour);
    });
  });

  it('sends no CREDENTIAL_READY when a get issues before the timer fires (the Wallet Server already has the credentials)', async () => {
    const { activities, data, notified } = scriptedIssuance({ ready: false });
    const input = instance({ deferredPollMs: hour });
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      expect(await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() })).toEqual({ outcome: 'pending' });
      data.ready = true;
      expect(await lifecycle.issue(input, { requestRef: 'request-2', requestId: randomUUID() })).toMatchObject({ outcome: 'issued' });
      expect((await state()).deferred).toBeUndefined();
      await environment().sleep(3 * hour);
    });
    expect(notified).toEqual([]);
  });
});

// Last: a second start of a running workflow, and an Update sent to a closed one, leave the
// time-skipping test server's clock locked, so no timer of a later test would fire.
describe('CredentialLifecycleWorkflow starts and closed instances', () => {
  it('starts once: a repeated start attaches to the running workflow', async () => {
    const { activities } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle }) => {
      const { runId } = await environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input)).describe();
      await lifecycle.start(input);
      expect((await environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input)).describe()).runId).toBe(runId);
    });
  });
  it('answers closed for an instance whose workflow has ended, and for one never started', async () => {
    const { activities } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle }) => {
      await environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input)).terminate('instance unlinked');
      expect(await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() })).toEqual({ outcome: 'closed' });
      expect(await lifecycle.issue(instance(), { requestRef: 'request-1', requestId: randomUUID() })).toEqual({ outcome: 'closed' });
    });
  });
});

describe('CredentialLifecycleWorkflow lifecycle (profile §29)', () => {
  const manage =
    (lifecycle: ReturnType<typeof createCredentialLifecycleWorkflows>, input: Omit<CredentialLifecycleInput, 'outboundTaskQueue'>) =>
    (actor: 'WALLET' | 'ISSUER', action: string, reason?: string) =>
      lifecycle.manage(input, { actor, action, requestId: randomUUID(), ...(reason ? { reason } : {}) });

  it('is IN_PROCESS until the first get issues, then ACTIVE, applied before the get answers', async () => {
    const { activities, applied } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      expect(await manage(lifecycle, input)('WALLET', 'SUSPEND')).toEqual({
        currentStatus: 'IN_PROCESS',
        previousStatus: 'IN_PROCESS',
        outcome: 'FAILED',
        failureReason: 'not_issued',
      });
      expect(applied).toEqual([]);
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      expect(applied).toEqual([expect.objectContaining({ status: 'ACTIVE', statusVersion: 1, reason: 'issued', credentialVersion: 'version-1' })]);
      // The move is visible to operators (the search attribute was set to ACTIVE, not left IN_PROCESS).
      const { typedSearchAttributes } = await environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input)).describe();
      expect(typedSearchAttributes.get(credentialStatusAttribute)).toBe('ACTIVE');
      // The same data again: nothing to record.
      await lifecycle.issue(input, { requestRef: 'request-2', requestId: randomUUID() });
      expect(applied).toHaveLength(1);
      expect((await state()).lifecycle?.status).toBe('ACTIVE');
    });
  });

  it('suspends and resumes by the table: the party that suspended resumes, gets are refused meanwhile, every move is applied', async () => {
    const { activities, applied, issued } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      const as = manage(lifecycle, input);
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      expect(await as('WALLET', 'SUSPEND', 'device_lost')).toEqual({ currentStatus: 'SUSPENDED_WALLET', previousStatus: 'ACTIVE', outcome: 'COMPLETED' });
      expect(await as('WALLET', 'SUSPEND')).toEqual({ currentStatus: 'SUSPENDED_WALLET', previousStatus: 'SUSPENDED_WALLET', outcome: 'NO_CHANGE' });
      expect(await lifecycle.issue(input, { requestRef: 'request-2', requestId: randomUUID() })).toEqual({ outcome: 'suspended', status: 'SUSPENDED_WALLET' });
      expect(await as('ISSUER', 'SUSPEND', 'fraud_check')).toEqual({
        currentStatus: 'SUSPENDED_ISSUER',
        previousStatus: 'SUSPENDED_WALLET',
        outcome: 'COMPLETED',
      });
      expect(await as('WALLET', 'RESUME')).toEqual({
        currentStatus: 'SUSPENDED_ISSUER',
        previousStatus: 'SUSPENDED_ISSUER',
        outcome: 'FAILED',
        failureReason: 'suspended_by_issuer',
      });
      expect(await as('ISSUER', 'RESUME')).toEqual({ currentStatus: 'ACTIVE', previousStatus: 'SUSPENDED_ISSUER', outcome: 'COMPLETED' });
      expect(await lifecycle.issue(input, { requestRef: 'request-3', requestId: randomUUID() })).toMatchObject({ outcome: 'issued' });
      expect(applied.map((a) => [a.status, a.reason, a.statusVersion])).toEqual([
        ['ACTIVE', 'issued', 1],
        ['SUSPENDED_WALLET', 'device_lost', 2],
        ['SUSPENDED_ISSUER', 'fraud_check', 3],
        ['ACTIVE', 'resume', 4],
      ]);
      expect(issued).toHaveLength(2);
      expect((await state()).lifecycle).toMatchObject({ status: 'ACTIVE', statusVersion: 4, reason: 'resume' });
      const { typedSearchAttributes } = await environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input)).describe();
      expect(typedSearchAttributes.get(credentialStatusAttribute)).toBe('ACTIVE');
      expect(typedSearchAttributes.get(credentialConfigurationIdAttribute)).toBe('org.iso.18013.5.1.mDL');
    });
  });

  it('answers a retried lifecycle request from the same Update: the move is applied once', async () => {
    const { activities, applied } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle }) => {
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      const request = { actor: 'WALLET' as const, action: 'SUSPEND', requestId: randomUUID() };
      const first = await lifecycle.manage(input, request);
      expect(await lifecycle.manage(input, request)).toEqual(first);
      expect(applied.filter((a) => a.status === 'SUSPENDED_WALLET')).toHaveLength(1);
    });
  });

  it('ends issuance on UNLINK, and completes the workflow on CANCEL (final); a deferred get is dropped', async () => {
    const { activities, applied, data, notified } = scriptedIssuance({ ready: false });
    const input = instance({ deferredPollMs: hour });
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      const as = manage(lifecycle, input);
      expect(await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() })).toEqual({ outcome: 'pending' });
      expect(await as('WALLET', 'UNLINK', 'removed_by_user')).toEqual({ currentStatus: 'UNLINKED', previousStatus: 'IN_PROCESS', outcome: 'COMPLETED' });
      // The data becomes ready and the back office says so: an unlinked instance sends no CREDENTIAL_READY.
      data.ready = true;
      await lifecycle.holderDataChanged(input);
      expect((await state()).deferred).toBeUndefined();
      expect(notified).toEqual([]);
      expect(await lifecycle.issue(input, { requestRef: 'request-2', requestId: randomUUID() })).toEqual({ outcome: 'closed' });
      expect(await as('WALLET', 'RESUME')).toMatchObject({ outcome: 'FAILED', failureReason: 'unlinked' });
      expect(await as('ISSUER', 'CANCEL', 'revoked')).toEqual({ currentStatus: 'CANCELLED', previousStatus: 'UNLINKED', outcome: 'COMPLETED' });
      const handle = environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input));
      await handle.result();
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      // A closed workflow answers no more requests: the API answers from the record.
      expect(await as('WALLET', 'UNLINK')).toBeNull();
      expect(applied.map((a) => a.status)).toEqual(['UNLINKED', 'CANCELLED']);
    });
  });

  it('tells the Wallet Server of each issuer change after answering (CANCEL as UNLINK), never of its own, and completes once told', async () => {
    const { activities, pushes } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      const as = manage(lifecycle, input);
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      await as('WALLET', 'SUSPEND', 'device_lost');
      await as('WALLET', 'RESUME');
      expect(await as('ISSUER', 'SUSPEND', 'fraud_check')).toMatchObject({ outcome: 'COMPLETED' });
      await eventually(state, (s) => s.lastWalletPush?.statusVersion === 4);
      expect(pushes).toEqual([{ action: 'SUSPEND', reason: 'fraud_check', statusVersion: 4 }]);
      expect(await as('ISSUER', 'CANCEL', 'revoked')).toMatchObject({ currentStatus: 'CANCELLED', outcome: 'COMPLETED' });
      const handle = environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input));
      await handle.result();
      expect(pushes).toEqual([
        { action: 'SUSPEND', reason: 'fraud_check', statusVersion: 4 },
        { action: 'UNLINK', reason: 'revoked', statusVersion: 5 },
      ]);
    });
  });

  it('gives a push up after the draft’s retries when the Wallet Server stays down, records it, and tells the next change', async () => {
    const { activities, pushes, wallet } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      const as = manage(lifecycle, input);
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      wallet.down = true;
      expect(await as('ISSUER', 'SUSPEND')).toMatchObject({ outcome: 'COMPLETED' });
      const given = await eventually(state, (s) => s.lastWalletPush !== undefined, 60_000);
      expect(given.lastWalletPush).toEqual({ statusVersion: 2, outcome: 'abandoned' });
      expect(wallet.attempts).toBe(4);
      // An operator sees the Wallet Server has not acknowledged, and since when.
      const outboundOf = async () => {
        const attributes = (await environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input)).describe()).typedSearchAttributes;
        return {
          outcome: attributes.get(lastOutboundOutcomeAttribute),
          waitingFor: attributes.get(waitingForAttribute),
          since: attributes.get(waitingSinceAttribute)?.toISOString(),
        };
      };
      const abandoned = await outboundOf();
      expect(abandoned).toEqual({ outcome: 'ABANDONED', waitingFor: ['WALLET_SERVER'], since: given.unacknowledgedSince });
      wallet.down = false;
      expect(await as('ISSUER', 'RESUME')).toMatchObject({ outcome: 'COMPLETED' });
      expect((await eventually(state, (s) => s.lastWalletPush?.statusVersion === 3)).lastWalletPush).toEqual({ statusVersion: 3, outcome: 'delivered' });
      expect(pushes).toEqual([{ action: 'RESUME', reason: 'resume', statusVersion: 3 }]);
      expect(await outboundOf()).toEqual({ outcome: 'DELIVERED', waitingFor: undefined, since: undefined });
      expect((await state()).unacknowledgedSince).toBeUndefined();
    });
  });

  it('refuses a lifecycle request without the proof of origin, and one for an action its party does not have, before any change', async () => {
    const { activities, applied } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(
      activities,
      input,
      async ({ lifecycle }) => {
        await expect(lifecycle.manage(input, { actor: 'WALLET', action: 'UNLINK', requestId: randomUUID() })).rejects.toBeInstanceOf(IssueRequestUnprovenError);
      },
      { proofs: false },
    );
    const other = instance();
    await withLifecycle(activities, other, async ({ lifecycle }) => {
      await expect(lifecycle.manage(other, { actor: 'WALLET', action: 'CANCEL', requestId: randomUUID() })).rejects.toMatchObject({
        cause: expect.objectContaining({ message: expect.stringMatching(/no action CANCEL for WALLET/) }),
      });
    });
    expect(applied).toEqual([]);
  });
});

describe('CredentialLifecycleWorkflow updates (profile §29, Refresh)', () => {
  it('tells the Wallet Server CREDENTIAL_UPDATE_AVAILABLE once per new data version, and its next get issues it', async () => {
    const { activities, data, offered, applied } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      // Nothing issued yet: a change of the data offers nothing (the first get issues the current data).
      await lifecycle.holderDataChanged(input);
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      // The data changed, but not the version (e.g. a field this configuration does not issue).
      await lifecycle.holderDataChanged(input);
      data.version = 'version-2';
      await lifecycle.holderDataChanged(input);
      await eventually(state, (s) => s.updateOffered !== undefined);
      await lifecycle.holderDataChanged(input);
      expect((await state()).updateOffered).toEqual({ credentialVersion: 'version-2', outcome: 'delivered' });
      expect(await lifecycle.issue(input, { requestRef: 'request-2', requestId: randomUUID() })).toMatchObject({
        outcome: 'issued',
        credentialVersion: 'version-2',
      });
      expect(offered).toEqual(['version-2']);
      // The instance's record follows the version the Wallet Server now holds (currentVersion).
      expect(applied.map((a) => [a.status, a.credentialVersion])).toEqual([
        ['ACTIVE', 'version-1'],
        ['ACTIVE', 'version-2'],
      ]);
    });
  });
});

describe('CredentialLifecycleWorkflow reconciliation (profile §29)', () => {
  const syncOf = async (input: Omit<CredentialLifecycleInput, 'outboundTaskQueue'>) =>
    (await environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input)).describe()).typedSearchAttributes.get(credentialWalletSyncAttribute);

  it('marks an instance OUT_OF_SYNC when a change could not be told, tells it again with a new request id when asked, then IN_SYNC', async () => {
    const { activities, pushes, wallet, requestKeys } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      wallet.down = true;
      await lifecycle.manage(input, { actor: 'ISSUER', action: 'SUSPEND', requestId: randomUUID(), reason: 'fraud_check' });
      await eventually(state, (s) => s.lastWalletPush?.outcome === 'abandoned');
      expect(await syncOf(input)).toBe('OUT_OF_SYNC');
      wallet.down = false;
      wallet.view = 'ACTIVE';
      expect(await lifecycle.reconcile(input, 'pass-1')).toBe(true);
      const after = await eventually(state, (s) => s.reconciliation?.reconciliationId === 'pass-1' && s.lastWalletPush?.outcome === 'delivered');
      expect(after.reconciliation).toMatchObject({ walletView: 'ACTIVE', outcome: 'told', detail: 'SUSPEND' });
      expect(pushes).toEqual([{ action: 'SUSPEND', reason: 'fraud_check', statusVersion: 2 }]);
      // The retelling is a new request for the Wallet Server, not a duplicate of the given-up one.
      expect(new Set(requestKeys)).toEqual(new Set(['2/', '2/pass-1']));
      expect(await syncOf(input)).toBe('IN_SYNC');
    });
  });

  it('applies a move the Wallet Server made without telling, and reports what only a person can settle', async () => {
    const { activities, applied, wallet } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      wallet.view = 'SUSPENDED_WALLET';
      await lifecycle.reconcile(input, 'pass-1');
      const applies = await eventually(state, (s) => s.reconciliation?.reconciliationId === 'pass-1');
      expect(applies.reconciliation).toMatchObject({ walletView: 'SUSPENDED_WALLET', outcome: 'applied', detail: 'SUSPEND' });
      expect(applies.lifecycle).toMatchObject({ status: 'SUSPENDED_WALLET', reason: 'reconciled' });
      expect(applied.at(-1)).toMatchObject({ status: 'SUSPENDED_WALLET' });
      wallet.view = 'NOT_FOUND';
      await lifecycle.reconcile(input, 'pass-2');
      const reported = await eventually(state, (s) => s.reconciliation?.reconciliationId === 'pass-2');
      expect(reported.reconciliation).toMatchObject({ walletView: 'NOT_FOUND', outcome: 'reported', detail: 'wallet_lost_instance' });
      expect(reported.lifecycle?.status).toBe('SUSPENDED_WALLET');
      expect(await syncOf(input)).toBe('NEEDS_REVIEW');
    });
  });

  it('keeps a cancelled instance open until the Wallet Server was told UNLINK, then completes', async () => {
    const { activities, pushes, wallet } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      wallet.down = true;
      await lifecycle.manage(input, { actor: 'ISSUER', action: 'CANCEL', requestId: randomUUID() });
      await eventually(state, (s) => s.lastWalletPush?.outcome === 'abandoned');
      const handle = environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input));
      expect((await handle.describe()).status.name).toBe('RUNNING');
      wallet.down = false;
      await lifecycle.reconcile(input, 'pass-1');
      await handle.result();
      expect(pushes).toEqual([{ action: 'UNLINK', reason: 'cancel', statusVersion: 2 }]);
    });
  });
});

describe('CredentialLifecycleWorkflow display data (profile §29)', () => {
  it('tells the Wallet Server DISPLAY_DATA_UPDATED once per credential metadata version, and nothing once the instance has ended', async () => {
    const { activities, displayed } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      await lifecycle.displayDataUpdated(input, 'metadata-v2');
      await eventually(state, (s) => s.displayNotified?.credentialMetadataVersion === 'metadata-v2');
      await lifecycle.displayDataUpdated(input, 'metadata-v2');
      await lifecycle.displayDataUpdated(input, 'metadata-v3');
      expect((await eventually(state, (s) => s.displayNotified?.credentialMetadataVersion === 'metadata-v3')).displayNotified).toEqual({
        credentialMetadataVersion: 'metadata-v3',
        outcome: 'delivered',
      });
      expect(displayed).toEqual(['metadata-v2', 'metadata-v3']);
      await lifecycle.manage(input, { actor: 'WALLET', action: 'UNLINK', requestId: randomUUID() });
      await lifecycle.displayDataUpdated(input, 'metadata-v4');
      await eventually(state, (s) => s.displayNotified?.credentialMetadataVersion === 'metadata-v4');
      expect(displayed).toEqual(['metadata-v2', 'metadata-v3']);
    });
  });
});

describe('CredentialLifecycleWorkflow provisioning failures (profile §29)', () => {
  it('cancels an instance after the policy’s number of PROVISIONING_FAILURE reports since the last success, and tells the Wallet Server', async () => {
    const { activities, pushes } = scriptedIssuance({ ready: true });
    const input = instance({ provisioningFailureLimit: 2 });
    const report = (lifecycle: Parameters<Parameters<typeof withLifecycle>[2]>[0]['lifecycle'], eventType: string) =>
      lifecycle.walletEvent(input, { eventType, eventTimestamp: new Date().toISOString(), details: { failureReason: 'secure_element_full' } });
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      await report(lifecycle, 'PROVISIONING_FAILURE');
      await report(lifecycle, 'PROVISIONING_SUCCESS');
      await report(lifecycle, 'PROVISIONING_FAILURE');
      expect((await eventually(state, (s) => s.walletEvents?.length === 3)).lifecycle?.status).toBe('ACTIVE');
      await report(lifecycle, 'PROVISIONING_FAILURE');
      await environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input)).result();
      expect(pushes).toEqual([{ action: 'UNLINK', reason: 'provisioning_failed', statusVersion: 2 }]);
    });
  });

  it('keeps an instance whatever the failures when no limit is set (the Wallet Server retries)', async () => {
    const { activities } = scriptedIssuance({ ready: true });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      for (let i = 0; i < 5; i += 1)
        await lifecycle.walletEvent(input, { eventType: 'PROVISIONING_FAILURE', eventTimestamp: new Date().toISOString(), details: { failureReason: 'x' } });
      const after = await eventually(state, (s) => s.walletEvents?.length === 5);
      expect(after).toMatchObject({ provisioningFailures: 5, lifecycle: { status: 'ACTIVE' } });
    });
  });
});
