import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { VerificationActivities } from '../../activities/verification-activities';
import type { VerificationDecision } from '../../domain/schemas/verification';
import { createVerificationWorkflows } from '../../clients/temporal/verification-workflows';
import { verificationStatusQuery, verificationWorkflowId, type VerificationWorkflowInput } from '../../workflows/verification/messages';
import { credentialConfigurationIdsAttribute, tenantIdAttribute, verificationStatusAttribute } from '../../workflows/verification/search-attributes';
import type { verificationWorkflow } from '../../workflows/verification/workflow';
import { createTimeSkippingEnvironment, workflowBundle } from '../support/time-skipping';

/** Stands in for the API's signer of verdicts (the real one is tested in test/unit/message-proof.test.ts). */
const testProofs = { sign: () => ({ kid: 'test-key', mac: 'signed' }) };

const day = 24 * 3600 * 1000;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

/** Activities that decide from a script and remember what they recorded and notified. */
function scriptedActivities(decide: (input: { verificationDataRef?: string }) => Promise<VerificationDecision>) {
  const recorded: { decision: VerificationDecision; statusVersion: number }[] = [];
  const notified: number[] = [];
  const activities: VerificationActivities = {
    evaluateVerificationData: (input) => decide(input),
    // The API signs verdicts (crypto/message-proof.ts); here a stand-in signer and check.
    verifyVerdictProof: async ({ proof }) => proof?.mac === testProofs.sign().mac,
    verifyUpdateProof: async ({ proof }) => proof?.mac === testProofs.sign().mac,
    decideFromVerdict: async ({ verdict }) =>
      verdict.outcome === 'APPROVED'
        ? { status: 'APPROVED', credentialConfigurationIds: ['org.iso.18013.5.1.mDL'], authorizedDeviceCount: 1 }
        : verdict.outcome === 'DENIED'
          ? { status: 'DENIED', reasonCode: verdict.reasonCode ?? 'X', deniedMessage: verdict.message ?? '' }
          : { status: 'REJECTED', reasonCode: verdict.reasonCode ?? 'X' },
    describePendingWait: async () => ({ providers: [] }),
    recordVerificationStatus: async ({ decision, statusVersion }) => {
      recorded.push({ decision, statusVersion });
    },
    notifyWalletServer: async ({ statusVersion }) => {
      notified.push(statusVersion);
    },
    recordNotificationAbandoned: async () => {
      throw new Error('no notification fails here');
    },
  };
  return { activities, recorded, notified };
}

function input(overrides: Partial<VerificationWorkflowInput> = {}): VerificationWorkflowInput {
  return {
    tenantId: 'tenant-1',
    sessionId: randomUUID(),
    verificationId: randomUUID(),
    initialDecisionWaitMs: 2000,
    idleExpiryMs: 7 * day,
    limits: { requestDeadlineMs: 30 * day, maxAttempts: 3 },
    ...overrides,
  };
}

async function withWorker<T>(activities: VerificationActivities, run: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
  });
  return worker.runUntil(run(taskQueue));
}

/** Starts the workflow the way /verification/initiate does (update-with-start, bounded wait). */
function startWithFirstDecision(taskQueue: string, args: VerificationWorkflowInput) {
  const decision = createVerificationWorkflows(env.client, taskQueue, undefined, testProofs).start({
    ...args,
    credentialConfigurationIds: ['org.iso.18013.5.1.mDL'],
  });
  const handle = env.client.workflow.getHandle<typeof verificationWorkflow>(verificationWorkflowId(args));
  return { handle, decision };
}

describe('VerificationWorkflow', () => {
  it('answers the first-decision update with APPROVED and completes, recording the status once', async () => {
    const approved: VerificationDecision = { status: 'APPROVED', credentialConfigurationIds: ['org.iso.18013.5.1.mDL'], authorizedDeviceCount: 1 };
    const { activities, recorded } = scriptedActivities(async () => approved);
    await withWorker(activities, async (taskQueue) => {
      const { handle, decision } = startWithFirstDecision(taskQueue, input());
      expect(await decision).toEqual(approved);
      expect(await handle.result()).toEqual({ decision: approved });
      // What an operator filters on in the Temporal UI.
      const { typedSearchAttributes } = await handle.describe();
      expect(typedSearchAttributes.get(tenantIdAttribute)).toBe('tenant-1');
      expect(typedSearchAttributes.get(verificationStatusAttribute)).toBe('APPROVED');
      expect(typedSearchAttributes.get(credentialConfigurationIdsAttribute)).toEqual(['org.iso.18013.5.1.mDL']);
    });
    expect(recorded).toEqual([{ decision: approved, statusVersion: 1 }]);
  });

  it('answers PENDING when the first decision takes longer than the bounded wait, then records it', async () => {
    const approved: VerificationDecision = { status: 'APPROVED', credentialConfigurationIds: ['x'] };
    // A slow evaluation: the activity takes longer (in real time) than the workflow waits.
    let release!: () => void;
    const evaluated = new Promise<void>((resolve) => (release = resolve));
    const { activities, recorded } = scriptedActivities(async () => {
      await evaluated;
      return approved;
    });
    await withWorker(activities, async (taskQueue) => {
      const { handle, decision } = startWithFirstDecision(taskQueue, input({ initialDecisionWaitMs: 1000 }));
      expect(await decision).toEqual({ status: 'PENDING' });
      expect((await handle.describe()).typedSearchAttributes.get(verificationStatusAttribute)).toBe('PENDING');
      release();
      expect(await handle.result()).toEqual({ decision: approved });
    });
    expect(recorded.map((r) => r.decision.status)).toEqual(['APPROVED']);
  });

  it('keeps a PENDING session open, then EXPIRES it after the idle time (days skipped)', async () => {
    const { activities, recorded } = scriptedActivities(async () => ({ status: 'PENDING' }));
    await withWorker(activities, async (taskQueue) => {
      const { handle, decision } = startWithFirstDecision(taskQueue, input({ idleExpiryMs: 3 * day }));
      expect(await decision).toEqual({ status: 'PENDING' });
      const before = await env.currentTimeMs();
      const result = await handle.result();
      const elapsed = (await env.currentTimeMs()) - before;
      expect(result.decision).toEqual({ status: 'EXPIRED' });
      expect((await handle.describe()).typedSearchAttributes.get(verificationStatusAttribute)).toBe('EXPIRED');
      expect(elapsed).toBeGreaterThanOrEqual(3 * day - 60_000);
    });
    expect(recorded.map((r) => [r.decision.status, r.statusVersion])).toEqual([
      ['PENDING', 1],
      ['EXPIRED', 2],
    ]);
  });

  it('retries a failing status projection until it succeeds', async () => {
    const approved: VerificationDecision = { status: 'APPROVED', credentialConfigurationIds: ['x'] };
    let failures = 0;
    const { activities, recorded } = scriptedActivities(async () => approved);
    const flaky: VerificationActivities = {
      ...activities,
      recordVerificationStatus: async (args) => {
        if (failures++ < 2) throw new Error('database unavailable');
        await activities.recordVerificationStatus(args);
      },
    };
    await withWorker(flaky, async (taskQueue) => {
      const { handle, decision } = startWithFirstDecision(taskQueue, input());
      await decision;
      // Retries of a local activity back off inside the worker, where the time-skipping server
      // cannot see them: poll in real time rather than wait on result(), which would let the
      // server skip ahead past the workflow task's timeout.
      let status = (await handle.query(verificationStatusQuery)).status;
      // Up to 90 s: on a loaded machine a workflow task can time out and run again first.
      for (let polls = 0; status !== 'APPROVED' && polls < 900; polls += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await handle.query(verificationStatusQuery)).status;
      }
      expect(status).toBe('APPROVED');
    });
    expect(failures).toBe(3);
    expect(recorded).toHaveLength(1);
  }, 150_000);
});

describe('VerificationWorkflow status visibility', () => {
  it('never reports a status before it is projected to the database', async () => {
    const approved: VerificationDecision = { status: 'APPROVED', credentialConfigurationIds: ['x'] };
    let releaseProjection!: () => void;
    const projected = new Promise<void>((resolve) => (releaseProjection = resolve));
    const { activities } = scriptedActivities(async () => approved);
    const slowProjection: VerificationActivities = {
      ...activities,
      recordVerificationStatus: async (args) => {
        await projected;
        await activities.recordVerificationStatus(args);
      },
    };
    await withWorker(slowProjection, async (taskQueue) => {
      const { handle, decision } = startWithFirstDecision(taskQueue, input({ initialDecisionWaitMs: 500 }));
      expect(await decision).toEqual({ status: 'PENDING' });
      expect(await handle.query(verificationStatusQuery)).toEqual({ status: 'PENDING' });
      releaseProjection();
      expect((await handle.result()).decision).toEqual(approved);
    });
  });
});
