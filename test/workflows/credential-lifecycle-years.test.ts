import { randomUUID } from 'node:crypto';
import { credentialLifecycleWorkflowId } from '../../workflows/credential-lifecycle/messages';
import { lifecycleTestKit } from '../support/lifecycle-workflow';
import { useTimeSkippingEnvironment } from '../support/time-skipping';

/**
 * A CredentialLifecycleWorkflow lives for years (profile §29): its history stays bounded however
 * many gets and changes it sees, and its timers fire across months. Its own time-skipping server,
 * so no other test's workflows lock the clock.
 */
const environment = useTimeSkippingEnvironment();

const { scriptedIssuance, instance, withLifecycle, eventually } = lifecycleTestKit(environment);

describe('CredentialLifecycleWorkflow over years (profile §29)', () => {
  it('keeps its history bounded over thousands of events: continues as new, carrying its state, and answers every get', async () => {
    const { activities, applied } = scriptedIssuance({ ready: true });
    const historyEventLimit = 300;
    const input = instance({ historyEventLimit });
    const gets = 600;
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      const handle = environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input));
      await lifecycle.issue(input, { requestRef: 'request-0', requestId: randomUUID() });
      await lifecycle.manage(input, { actor: 'WALLET', action: 'SUSPEND', requestId: randomUUID() });
      await lifecycle.manage(input, { actor: 'WALLET', action: 'RESUME', requestId: randomUUID() });
      for (let i = 1; i <= gets; i += 1) {
        expect(await lifecycle.issue(input, { requestRef: `request-${i}`, requestId: randomUUID() })).toMatchObject({ outcome: 'issued' });
      }
      // Every run, newest first, by following each run's start back to the run it continued.
      const runs: { runId: string; historyLength: number }[] = [];
      let runId: string | undefined = (await handle.describe()).runId;
      while (runId) {
        const history = await environment().client.workflow.getHandle(credentialLifecycleWorkflowId(input), runId).fetchHistory();
        runs.push({ runId, historyLength: history.events?.length ?? 0 });
        runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
      }
      const total = runs.reduce((sum, run) => sum + run.historyLength, 0);
      // Thousands of events over many runs, none much longer than the limit (a get in flight finishes first).
      expect(total).toBeGreaterThan(2000);
      expect(runs.length).toBeGreaterThan(5);
      for (const run of runs) expect(run.historyLength).toBeLessThan(historyEventLimit + 50);
      const { historyLength } = await handle.describe();
      expect(historyLength).toBeLessThan(historyEventLimit + 50);
      // The state went on from run to run: version, lifecycle and its status versions.
      expect(await state()).toMatchObject({ credentialVersion: 'version-1', lifecycle: { status: 'ACTIVE', statusVersion: 3 } });
      expect(applied.map((a) => a.statusVersion)).toEqual([1, 2, 3]);
    });
  }, 300_000);

  it('offers fresh credentials when the last ones are due for refresh, a year on, once per refresh time, on a Temporal timer', async () => {
    const day = 86_400_000;
    // 365 days of validity, refreshed 30 days before: due 335 days after each issuance.
    const { activities, offered } = scriptedIssuance({ ready: true, refreshAfterMs: 335 * day });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle, state }) => {
      const issuedAt = await environment().currentTimeMs();
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      await environment().sleep(300 * day);
      expect(offered).toEqual([]);
      await environment().sleep(40 * day);
      const offeredAt = await eventually(state, (s) => s.refreshOffered !== undefined);
      expect(offered).toEqual(['version-1']);
      // Offered for the refresh time of the credentials issued then (335 days after that get).
      expect(Date.parse(offeredAt.refreshOffered as string) - (issuedAt + 335 * day)).toBeGreaterThanOrEqual(0);
      expect(Date.parse(offeredAt.refreshOffered as string) - (issuedAt + 335 * day)).toBeLessThan(60_000);
      // Nothing more until the Wallet Server fetches: no second offer for the same credentials.
      await environment().sleep(60 * day);
      expect(offered).toEqual(['version-1']);
      // Its next get issues fresh credentials; a year later they are offered again.
      await lifecycle.issue(input, { requestRef: 'request-2', requestId: randomUUID() });
      await environment().sleep(340 * day);
      await eventually(state, (s) => s.refreshOffered !== offeredAt.refreshOffered);
      expect(offered).toEqual(['version-1', 'version-1']);
    });
  }, 120_000);

  it('offers no refresh while the instance is suspended', async () => {
    const day = 86_400_000;
    const { activities, offered } = scriptedIssuance({ ready: true, refreshAfterMs: 10 * day });
    const input = instance();
    await withLifecycle(activities, input, async ({ lifecycle }) => {
      await lifecycle.issue(input, { requestRef: 'request-1', requestId: randomUUID() });
      await lifecycle.manage(input, { actor: 'ISSUER', action: 'SUSPEND', requestId: randomUUID() });
      await environment().sleep(30 * day);
      expect(offered).toEqual([]);
    });
  }, 120_000);
});
