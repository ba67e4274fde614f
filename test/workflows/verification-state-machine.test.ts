import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { VerificationActivities } from '../../activities/verification-activities';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { createVerificationWorkflows, refusalOf } from '../../clients/temporal/verification-workflows';
import type { VerificationDecision } from '../../domain/schemas/verification';
import {
  cancelUpdate,
  supplementUpdate,
  VerificationRefusal,
  verificationStatusQuery,
  verificationWorkflowId,
  type VerificationWorkflowInput,
} from '../../workflows/verification/messages';
import type { verificationWorkflow } from '../../workflows/verification/workflow';
import { outboundAttemptFailure } from '../../activities/outbound-attempt';
import { Context } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';
import { recordHistories } from '../support/recorded-histories';
import { reviewCaseIdAttribute, waitDeadlineAttribute, waitingForAttribute, waitingSinceAttribute } from '../../workflows/verification/search-attributes';
import { createTimeSkippingEnvironment, workflowBundle } from '../support/time-skipping';

/** Stands in for the API's signer of verdicts (the real one is tested in test/unit/message-proof.test.ts). */
const testProofs = { sign: () => ({ kid: 'test-key', mac: 'signed' }) };

const hour = 3600 * 1000;
const day = 24 * hour;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

const needsMore: VerificationDecision = {
  status: 'ADDITIONAL_INFO_REQUIRED',
  verificationDataRequest: { verificationDataItems: [{ type: 'urn:example:document', id: 'doc', required: true }] },
};
const approved: VerificationDecision = { status: 'APPROVED', credentialConfigurationIds: ['org.iso.18013.5.1.mDL'], authorizedDeviceCount: 1 };

/**
 * Activities whose evaluation is decided by the data reference: "approve…" approves, "reject…"
 * rejects, "pending…" defers to a verdict, anything else (and no data) asks for more.
 */
function activities() {
  const recorded: VerificationDecision[] = [];
  const notified: number[] = [];
  const abandoned: number[] = [];
  const impl: VerificationActivities = {
    evaluateVerificationData: async ({ verificationDataRef }) => {
      // "slow…" fails its first two attempts: the third starts after a 2 s backoff on a workflow timer.
      if (verificationDataRef?.startsWith('slow') && Context.current().info.attempt < 3) throw new Error('evaluation not ready');
      if (verificationDataRef?.startsWith('approve') || verificationDataRef?.startsWith('slow')) return approved;
      if (verificationDataRef?.startsWith('reject')) return { status: 'REJECTED', reasonCode: 'BLURRY_PHOTO' };
      if (verificationDataRef?.startsWith('pending')) return { status: 'PENDING' };
      return needsMore;
    },
    // The API signs verdicts (crypto/message-proof.ts); here a stand-in signer and check.
    verifyVerdictProof: async ({ proof }) => proof?.mac === testProofs.sign().mac,
    verifyUpdateProof: async ({ proof }) => proof?.mac === testProofs.sign().mac,
    decideFromVerdict: async ({ verdict }) =>
      verdict.outcome === 'APPROVED'
        ? approved
        : { status: 'DENIED', reasonCode: verdict.reasonCode ?? 'DENIED_BY_ISSUER', deniedMessage: verdict.message ?? 'no' },
    recordVerificationStatus: async ({ decision }) => {
      recorded.push(decision);
    },
    notifyWalletServer: async ({ statusVersion }) => {
      notified.push(statusVersion);
    },
    recordNotificationAbandoned: async ({ statusVersion }) => {
      abandoned.push(statusVersion);
    },
    // Every PENDING verification here waits for a reviewer's case and one provider.
    describePendingWait: async ({ verificationId }) => ({ reviewCaseId: `${verificationId}:evidence-1`, providers: ['doc-check-co'] }),
  };
  return { impl, recorded, notified, abandoned };
}

async function run(test: (ctx: { start: (overrides?: Partial<VerificationWorkflowInput>) => Promise<Session> }) => Promise<void>) {
  const { impl } = activities();
  const taskQueue = `sm-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: impl });
  const workflows = createVerificationWorkflows(env.client, taskQueue, undefined, testProofs);
  const started: Session[] = [];
  // Each workflow is run to its end before the worker stops: a workflow task left without a
  // worker would hold back time skipping for the tests that follow.
  const runAll = async (ctx: Parameters<typeof test>[0]) => {
    await test(ctx);
    await Promise.all(started.map((session) => session.handle.result().catch(() => undefined)));
    if (process.env.RECORD_HISTORIES) await recordHistories(started.map((s) => s.handle));
  };
  await worker.runUntil(
    runAll({
      start: async (overrides = {}) => {
        const args: VerificationWorkflowInput = {
          tenantId: 't',
          sessionId: randomUUID(),
          verificationId: randomUUID(),
          initialDecisionWaitMs: 2000,
          idleExpiryMs: 30 * day,
          limits: { requestDeadlineMs: 2 * day, maxAttempts: 3 },
          ...overrides,
        };
        const first = await workflows.start({ ...args, credentialConfigurationIds: ['org.iso.18013.5.1.mDL'] });
        const ref = { tenantId: args.tenantId, sessionId: args.sessionId, verificationId: args.verificationId };
        const session: Session = {
          first,
          handle: env.client.workflow.getHandle<typeof verificationWorkflow>(verificationWorkflowId(args)),
          supplement: (dataRef: string) => workflows.supplement(ref, dataRef, randomUUID()),
          // A supplement naming another verificationId, delivered to this verification's workflow.
          supplementFor: (verificationId: string, dataRef: string) =>
            env.client.workflow
              .getHandle(verificationWorkflowId(args))
              .executeUpdate(supplementUpdate, { args: [{ verificationId, verificationDataRef: dataRef }] })
              .then(
                (decision) => ({ accepted: true as const, decision }),
                (error: unknown) => {
                  const refusal = refusalOf(error);
                  if (!refusal) throw error;
                  return { accepted: false as const, refusal };
                },
              ),
          cancel: (reason: string) => workflows.cancel(ref, reason, randomUUID()),
          verdict: (outcome: 'APPROVED' | 'DENIED', reasonCode?: string) =>
            workflows.sendVerdict(ref, { outcome, source: 'reviewer', decidedBy: 'reviewer-7', ...(reasonCode ? { reasonCode } : {}) }),
        };
        started.push(session);
        return session;
      },
    }),
  );
}

interface Session {
  first: VerificationDecision;
  handle: ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>;
  supplement(dataRef: string): ReturnType<ReturnType<typeof createVerificationWorkflows>['supplement']>;
  supplementFor(verificationId: string, dataRef: string): ReturnType<ReturnType<typeof createVerificationWorkflows>['supplement']>;
  cancel(reason: string): ReturnType<ReturnType<typeof createVerificationWorkflows>['cancel']>;
  verdict(outcome: 'APPROVED' | 'DENIED', reasonCode?: string): Promise<void>;
}

describe('VerificationWorkflow state machine (S2S §Verification Status)', () => {
  it('asks for more data with a deadline and the attempts left, then approves on a supplement', async () => {
    await run(async ({ start }) => {
      const before = await env.currentTimeMs();
      const session = await start();
      expect(session.first).toMatchObject({ status: 'ADDITIONAL_INFO_REQUIRED', verificationDataRequest: { maxAttempts: 3 } });
      const deadline = Date.parse((session.first as { verificationDataRequest: { deadline: string } }).verificationDataRequest.deadline);
      expect(deadline - before).toBeGreaterThanOrEqual(2 * day - 60_000);
      expect(deadline - before).toBeLessThanOrEqual(2 * day + 60_000);

      expect(await session.supplement('approve-1')).toEqual({ accepted: true, decision: approved });
      expect(await session.handle.result()).toEqual({ decision: approved });
    });
  });

  it('lets a REJECTED verification resubmit, and counts each supplement as an attempt', async () => {
    await run(async ({ start }) => {
      const session = await start();
      expect(await session.supplement('reject-1')).toMatchObject({ accepted: true, decision: { status: 'REJECTED', reasonCode: 'BLURRY_PHOTO' } });
      expect(await session.supplement('more-1')).toMatchObject({ accepted: true, decision: { verificationDataRequest: { maxAttempts: 1 } } });
      expect(await session.supplement('approve-1')).toMatchObject({ accepted: true, decision: { status: 'APPROVED' } });
    });
  });

  it('DENIES with MAX_ATTEMPTS_EXCEEDED when the attempts run out', async () => {
    await run(async ({ start }) => {
      const session = await start();
      await session.supplement('more-1');
      await session.supplement('more-2');
      const last = await session.supplement('reject-3');
      expect(last).toMatchObject({ accepted: true, decision: { status: 'DENIED', reasonCode: 'MAX_ATTEMPTS_EXCEEDED' } });
    });
  });

  it('DENIES with DEADLINE_EXCEEDED when no supplement arrives before the deadline, not earlier (days skipped)', async () => {
    await run(async ({ start }) => {
      const session = await start();
      const deadline = Date.parse((session.first as { verificationDataRequest: { deadline: string } }).verificationDataRequest.deadline);

      // An hour before the deadline (skipped, not slept) the verification still waits for data.
      await env.sleep(2 * day - hour);
      expect(await session.handle.query(verificationStatusQuery)).toMatchObject({ status: 'ADDITIONAL_INFO_REQUIRED' });

      const result = (await session.handle.result()) as { decision: VerificationDecision };
      expect(result.decision).toMatchObject({ status: 'DENIED', reasonCode: 'DEADLINE_EXCEEDED' });
      // On the workflow's own clock: it ended no earlier than the published deadline, a full
      // requestDeadlineMs after it started (a timer that fired at once would end within seconds).
      const events = (await session.handle.fetchHistory()).events ?? [];
      const eventTime = (event: (typeof events)[number] | undefined) =>
        Number(event?.eventTime?.seconds ?? 0) * 1000 + Math.floor((event?.eventTime?.nanos ?? 0) / 1e6);
      const startedAt = eventTime(events[0]);
      const endedAt = eventTime(events[events.length - 1]);
      expect(endedAt).toBeGreaterThanOrEqual(deadline);
      expect(endedAt - startedAt).toBeGreaterThanOrEqual(2 * day);
    });
  });

  it('refuses a supplement while a decision is PENDING, for an older verificationId, and after the end', async () => {
    await run(async ({ start }) => {
      const session = await start({ verificationDataRef: 'pending-review' });
      expect(session.first).toEqual({ status: 'PENDING' });
      expect(await session.supplement('approve-1')).toEqual({ accepted: false, refusal: VerificationRefusal.notAwaitingData });
      expect(await session.supplementFor(randomUUID(), 'approve-1')).toEqual({ accepted: false, refusal: VerificationRefusal.wrongVerification });

      await session.verdict('APPROVED');
      await session.handle.result();
      expect(await session.supplement('approve-2')).toEqual({ accepted: false, refusal: VerificationRefusal.final });
    });
  });

  it('applies a reviewer verdict (signal) to a PENDING verification', async () => {
    await run(async ({ start }) => {
      const session = await start({ verificationDataRef: 'pending-review' });
      await session.verdict('DENIED', 'DOCUMENT_FORGED');
      const result = (await session.handle.result()) as { decision: VerificationDecision };
      expect(result.decision).toMatchObject({ status: 'DENIED', reasonCode: 'DOCUMENT_FORGED' });
    });
  });

  it('shows what it waits for, since when and until when, as search attributes an operator filters on', async () => {
    await run(async ({ start }) => {
      const waitingOf = async (session: Session) => {
        const attributes = (await session.handle.describe()).typedSearchAttributes;
        return {
          waitingFor: attributes.get(waitingForAttribute),
          since: attributes.get(waitingSinceAttribute)?.getTime(),
          deadline: attributes.get(waitDeadlineAttribute)?.getTime(),
          reviewCaseId: attributes.get(reviewCaseIdAttribute),
        };
      };
      const asked = await start();
      const startedAt = await env.currentTimeMs();
      const forData = await waitingOf(asked);
      expect(forData).toMatchObject({ waitingFor: ['WALLET_DATA'], reviewCaseId: undefined });
      expect(Math.abs((forData.since ?? 0) - startedAt)).toBeLessThan(60_000);
      // The request deadline (2 days) comes before the idle expiry (30 days).
      expect(Math.abs((forData.deadline ?? 0) - (startedAt + 2 * day))).toBeLessThan(60_000);
      await asked.cancel('user_abandoned');
      await asked.handle.result();
      expect(await waitingOf(asked)).toEqual({ waitingFor: undefined, since: undefined, deadline: undefined, reviewCaseId: undefined });

      const verificationId = randomUUID();
      const pending = await start({ verificationDataRef: 'pending-review', verificationId });
      expect(await waitingOf(pending)).toMatchObject({ waitingFor: ['REVIEWER', 'PROVIDER'], reviewCaseId: `${verificationId}:evidence-1` });
      await pending.verdict('APPROVED');
      await pending.handle.result();
      expect((await waitingOf(pending)).waitingFor).toBeUndefined();
    });
  });

  it('ends a cancelled verification as DENIED/CANCELLED and refuses further supplements', async () => {
    await run(async ({ start }) => {
      const session = await start();
      expect(await session.cancel('USER_ABANDONED')).toMatchObject({ accepted: true, decision: { status: 'DENIED', reasonCode: 'CANCELLED' } });
      expect(await session.handle.query(verificationStatusQuery)).toMatchObject({ reasonCode: 'CANCELLED' });
      expect(await session.supplement('approve-1')).toEqual({ accepted: false, refusal: VerificationRefusal.final });
    });
  });

  it('EXPIRES a verification left PENDING for the idle period, not earlier (days skipped)', async () => {
    await run(async ({ start }) => {
      const session = await start({ verificationDataRef: 'pending-review', idleExpiryMs: 30 * day });
      expect(session.first).toEqual({ status: 'PENDING' });
      await env.sleep(30 * day - hour);
      expect(await session.handle.query(verificationStatusQuery)).toEqual({ status: 'PENDING' });
      expect(await session.handle.result()).toEqual({ decision: { status: 'EXPIRED' } });
    });
  });

  it('answers the initiate with PENDING when the first decision takes longer than the initial wait, then decides', async () => {
    await run(async ({ start }) => {
      const session = await start({ verificationDataRef: 'slow-approve', initialDecisionWaitMs: 500 });
      expect(session.first).toEqual({ status: 'PENDING' });
      expect(await session.handle.result()).toEqual({ decision: approved });
    });
  });

  it('refuses to cancel a verification that already ended otherwise', async () => {
    await run(async ({ start }) => {
      const session = await start({ verificationDataRef: 'approve-now' });
      expect(session.first).toEqual(approved);
      await session.handle.result();
      expect(await session.cancel('TOO_LATE')).toEqual({ accepted: false, refusal: VerificationRefusal.final });
    });
  });
});

/** The failure an Update was refused with: the validator's ApplicationFailure. */
async function refusalFailure(update: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await update.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('VerificationWorkflow Update refusals are typed, non-retryable ApplicationFailures', () => {
  // A Wallet Server that does not answer keeps a final verification's workflow running (it
  // drains its notifications before completing), so its validators, not a closed workflow, refuse.
  it.each([
    [VerificationRefusal.final, 'a supplement for an APPROVED verification', 'approve-now', 'supplement', 'own'],
    [VerificationRefusal.final, 'a cancellation of an APPROVED verification', 'approve-now', 'cancel', 'own'],
    [VerificationRefusal.notAwaitingData, 'a supplement while PENDING', 'pending-review', 'supplement', 'own'],
    [VerificationRefusal.wrongVerification, 'a supplement naming another verificationId', 'more-please', 'supplement', 'other'],
    [VerificationRefusal.wrongVerification, 'a cancellation naming another verificationId', 'more-please', 'cancel', 'other'],
  ] as const)('refuses with type %s: %s', async (type, _label, verificationDataRef, update, target) => {
    const { impl } = activities();
    let release!: () => void;
    const silentWallet = new Promise<void>((resolve) => (release = resolve));
    const taskQueue = `sm-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: { ...impl, notifyWalletServer: () => silentWallet },
    });
    await worker.runUntil(async () => {
      const workflows = createVerificationWorkflows(env.client, taskQueue, undefined, testProofs);
      const ref = { tenantId: 't', sessionId: randomUUID(), verificationId: randomUUID() };
      await workflows.start({
        ...ref,
        verificationDataRef,
        initialDecisionWaitMs: 2000,
        idleExpiryMs: day,
        limits: { requestDeadlineMs: day, maxAttempts: 3 },
        credentialConfigurationIds: ['x'],
      });
      const handle = env.client.workflow.getHandle<typeof verificationWorkflow>(verificationWorkflowId(ref));
      expect((await handle.describe()).status.name).toBe('RUNNING');
      const verificationId = target === 'own' ? ref.verificationId : randomUUID();
      const refused =
        update === 'supplement'
          ? handle.executeUpdate(supplementUpdate, { args: [{ verificationId, verificationDataRef: 'approve-1' }] })
          : handle.executeUpdate(cancelUpdate, { args: [{ verificationId, reason: 'USER_ABANDONED' }] });
      const failure = await refusalFailure(refused);
      expect(failure.type).toBe(type);
      expect(failure.nonRetryable).toBe(true);
      expect(refusalOf(new WorkflowUpdateFailedError('refused', failure))).toBe(type);
      // The same refusal through the client the API uses, where the target is the workflow's own.
      if (target === 'own') {
        const outcome =
          update === 'supplement' ? await workflows.supplement(ref, 'approve-1', randomUUID()) : await workflows.cancel(ref, 'USER_ABANDONED', randomUUID());
        expect(outcome).toEqual({ accepted: false, refusal: type });
      }
      release();
      await workflows.cancel(ref, 'TEST_DONE', randomUUID());
      await handle.result();
    });
  });
});

describe('VerificationWorkflow notifications (S2S §Verification Notification)', () => {
  it('notifies the Wallet Server of the final status, without blocking the state machine', async () => {
    const { impl, recorded, notified } = activities();
    let release!: () => void;
    const slowWallet = new Promise<void>((resolve) => (release = resolve));
    const taskQueue = `sm-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: {
        ...impl,
        notifyWalletServer: async (args: { statusVersion: number }) => {
          await slowWallet;
          await impl.notifyWalletServer(args as Parameters<VerificationActivities['notifyWalletServer']>[0]);
        },
      },
    });
    await worker.runUntil(async () => {
      const workflows = createVerificationWorkflows(env.client, taskQueue, undefined, testProofs);
      const ref = { tenantId: 't', sessionId: randomUUID(), verificationId: randomUUID() };
      await workflows.start({
        ...ref,
        initialDecisionWaitMs: 2000,
        idleExpiryMs: day,
        limits: { requestDeadlineMs: day, maxAttempts: 3 },
        credentialConfigurationIds: ['x'],
      });
      // The wallet is not answering, yet the supplement is evaluated and answered.
      expect(await workflows.supplement(ref, 'approve-1', randomUUID())).toMatchObject({ accepted: true, decision: { status: 'APPROVED' } });
      release();
      await env.client.workflow.getHandle(verificationWorkflowId(ref)).result();
    });
    expect(recorded.map((d) => d.status)).toEqual(['ADDITIONAL_INFO_REQUIRED', 'APPROVED']);
    // Coalesced: the first notification was in flight when the status changed; the last one carries the final version.
    expect(notified[notified.length - 1]).toBe(2);
  });

  it('runs each attempt on the outbound task queue with the tenant as fairness key, gives up after the draft’s 3 retries and records it', async () => {
    const { impl, abandoned } = activities();
    const attempts: { attempt: number; at: number }[] = [];
    const taskQueue = `sm-${randomUUID()}`;
    const outboundTaskQueue = `${taskQueue}-outbound`;
    const bundle = await workflowBundle();
    const main = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: {
        ...impl,
        notifyWalletServer: async () => {
          throw new Error('notifications run on the outbound task queue');
        },
      },
    });
    const outbound = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: outboundTaskQueue,
      activities: {
        // The real failure of an attempt that found the Wallet Server unavailable (503, no Retry-After).
        notifyWalletServer: async () => {
          const { attempt } = Context.current().info;
          attempts.push({ attempt, at: await env.currentTimeMs() });
          throw outboundAttemptFailure(
            { outcome: 'retryable', reason: 'answered 503', status: 503 },
            { what: 'notification', attempt, retryAfterCeilingMs: 3_600_000 },
          );
        },
      },
    });
    const ref = { tenantId: `tenant-${randomUUID()}`, sessionId: randomUUID(), verificationId: randomUUID() };
    const handle = env.client.workflow.getHandle<typeof verificationWorkflow>(verificationWorkflowId(ref));
    await main.runUntil(
      outbound.runUntil(async () => {
        const workflows = createVerificationWorkflows(env.client, taskQueue, outboundTaskQueue, testProofs);
        const first = await workflows.start({
          ...ref,
          verificationDataRef: 'approve-now',
          initialDecisionWaitMs: 2000,
          idleExpiryMs: day,
          limits: { requestDeadlineMs: day, maxAttempts: 3 },
          credentialConfigurationIds: ['x'],
        });
        // The verification is decided at once; the failing notification does not hold it back.
        expect(first).toEqual(approved);
        expect(await handle.result()).toEqual({ decision: approved });
      }),
    );
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    // The waits are the draft's windows (S2S §Rate Limiting), taken by Temporal, not by the worker.
    const gaps = attempts.slice(1).map((a, i) => a.at - (attempts[i] as { at: number }).at);
    expect(gaps[0]).toBeLessThanOrEqual(1000 + 500);
    expect(gaps[1]).toBeGreaterThanOrEqual(1100);
    expect(gaps[1]).toBeLessThanOrEqual(5000 + 500);
    expect(gaps[2]).toBeGreaterThanOrEqual(5100);
    expect(gaps[2]).toBeLessThanOrEqual(30000 + 500);
    expect(abandoned).toEqual([1]);

    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : []));
    const notify = scheduled.find((a) => a.activityType?.name === 'notifyWalletServer');
    expect(notify?.taskQueue?.name).toBe(outboundTaskQueue);
    expect(notify?.priority?.fairnessKey).toBe(ref.tenantId);
    expect(notify?.retryPolicy?.maximumAttempts).toBe(4);
    expect(scheduled.find((a) => a.activityType?.name === 'recordNotificationAbandoned')?.taskQueue?.name).toBe(taskQueue);
    expect((history.events ?? []).some((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_MARKER_RECORDED)).toBe(true);
    if (process.env.RECORD_HISTORIES) await recordHistories([handle]);
  });
});
