import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { loadRecordedHistories } from '../support/recorded-histories';
import { workflowBundle } from '../support/time-skipping';

/**
 * Replays histories recorded from real runs of every VerificationWorkflow path (and of the
 * CredentialLifecycleWorkflow's gets and deferred issuance) against the
 * current code: a change that would break running workflows (non-determinism) fails here.
 * Some were recorded from earlier workflow code and have no test that re-records them (e.g.
 * `…before-the-outbound-task-queue-gives-up…`: a notification given up before it was recorded
 * for reconciliation, which the notifier's patched() keeps replaying; `remote-decisions-…` from
 * before decisions became local activities; `local-decisions-…` from before verdicts needed a
 * proof of origin; `verdict-proofs-…` from before supplements and cancellations did;
 * `before-first-issuance-move-…` from before the first issuance set S2sCredentialStatus to ACTIVE;
 * `before-waiting-attributes-…` from before S2sWaitingFor and S2sLastOutboundOutcome). Never
 * re-record those.
 */
describe('VerificationWorkflow replay compatibility', () => {
  const histories = loadRecordedHistories();

  it('has recorded histories of every state-machine path', () => {
    expect(histories.length).toBeGreaterThanOrEqual(8);
  });

  it('replays every recorded history without non-determinism', async () => {
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('fails the replay of every recorded history when the workflow changes without a patch', async () => {
    const changed = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/nondeterministic-workflow'), logger: quietLogger });
    const outcomes: { workflowId: string; error?: string }[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: changed }, histories)) {
      outcomes.push({ workflowId: result.workflowId, ...(result.error ? { error: result.error.name } : {}) });
    }
    expect(outcomes).toHaveLength(histories.length);
    expect(outcomes.filter((outcome) => outcome.error !== 'DeterminismViolationError')).toEqual([]);
  });
});

const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };
