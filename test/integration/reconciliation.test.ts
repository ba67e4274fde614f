import { randomUUID } from 'node:crypto';
import { ensureReconciliationSchedule } from '../../clients/temporal/reconciliation-schedule';
import { verificationWorkflowId } from '../../domain/workflow-ids';
import { reconciliationScheduleId, type ReconciliationSummary } from '../../workflows/reconciliation/messages';
import { startCrashingApi } from '../support/crashing-api';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { approvableInitiate, negotiatedInitiate } from '../support/wallet-requests';

/**
 * Reconciliation (docs/architecture.md §Reconciliation): what a crash leaves is found and
 * repaired by a scheduled workflow, without any request from the Wallet Server.
 */
let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness();
});
afterAll(async () => {
  await h?.close();
});

function passSettings() {
  return {
    lapsedGraceMs: 60_000,
    closedLookbackMs: 10 * 60_000,
    batchLimit: 100,
    outboundTaskQueue: h.config.temporal.outboundTaskQueue,
    notificationResendAfterMs: 600_000,
    notificationLookbackMs: 3600_000,
  };
}

function runReconciliation(): Promise<ReconciliationSummary> {
  return h.temporal.workflow.execute('reconciliationWorkflow', {
    taskQueue: h.config.temporal.taskQueue,
    workflowId: `reconciliation-test-${randomUUID()}`,
    args: [{ ...passSettings(), lapsedGraceMs: 0, notificationResendAfterMs: 0 }],
  });
}

async function statusOf(sessionId: string, verificationId: string, until: (status: string) => boolean): Promise<Record<string, unknown>> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await h.http.post('/verification/status', { sessionId, verificationId }, { identity: h.walletA });
    if (until(response.json.status) || attempt >= 100) return response.json;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function crashedInitiate(point: 'initiate.session-stored' | 'initiate.quota-slot-taken' | 'initiate.data-stored') {
  const crashing = await startCrashingApi(h, point, 200);
  const body = await approvableInitiate();
  const headers = { 'x-request-id': randomUUID() };
  await expect(crashing.http.post('/verification/initiate', body, { identity: h.walletA, headers })).rejects.toThrow();
  await crashing.exited;
  await crashing.stop();
  const stored = await h.db.collection('verification_sessions').findOne({ tenantId: h.walletA.tenant._id, sessionId: body.sessionId });
  const [verificationId] = Object.keys((stored?.verifications as Record<string, unknown> | undefined) ?? {});
  if (!verificationId) throw new Error('the crashed initiate stored no session');
  await new Promise((resolve) => setTimeout(resolve, 250)); // the dead execution's lease lapses
  return { body, headers, verificationId };
}

describe('reconciliation', () => {
  it('starts the workflow of an initiate that died after storing its data, so the wallet is told the outcome without retrying', async () => {
    const { body, headers, verificationId } = await crashedInitiate('initiate.data-stored');
    expect(await statusOf(body.sessionId, verificationId, () => true)).toMatchObject({ status: 'PENDING' });

    const summary = await runReconciliation();
    expect(summary).toMatchObject({ workflowsStarted: 1, requestsReleased: 1 });
    expect(await statusOf(body.sessionId, verificationId, (s) => s === 'APPROVED')).toMatchObject({ status: 'APPROVED' });
    await h.receiver.waitFor((n) => n.body.verificationId === verificationId && n.body.status === 'APPROVED');
    expect(await h.db.collection('reconciliation_repairs').countDocuments({ 'subject.verificationId': verificationId, kind: 'workflow-started' })).toBe(1);

    // A late retry of the original request executes afresh and finds its verification.
    const late = await h.http.post('/verification/initiate', body, { identity: h.walletA, headers });
    expect(late.json).toMatchObject({ verificationId, status: 'APPROVED' });
    // A second pass finds nothing left to repair.
    expect(await runReconciliation()).toMatchObject({ workflowsStarted: 0, requestsReleased: 0 });
  });

  it('rolls back an initiate that died before storing its data: a late retry starts afresh and is decided on its data', async () => {
    const { body, headers, verificationId } = await crashedInitiate('initiate.session-stored');
    expect(await runReconciliation()).toMatchObject({ initiatesRolledBack: 1, workflowsStarted: 0, requestsReleased: 1 });
    expect(await h.db.collection('verification_sessions').countDocuments({ tenantId: h.walletA.tenant._id, sessionId: body.sessionId })).toBe(0);
    expect(await h.db.collection('reconciliation_repairs').countDocuments({ 'subject.verificationId': verificationId, kind: 'initiate-rolled-back' })).toBe(1);

    const late = await h.http.post('/verification/initiate', body, { identity: h.walletA, headers });
    expect(late.status).toBe(200);
    expect(late.json.verificationId).not.toBe(verificationId);
    expect((await statusOf(body.sessionId, late.json.verificationId, (s) => s !== 'PENDING')).status).toBe('APPROVED');
  });

  it('frees the open-verification slot of an initiate that died after taking it, when rolling the initiate back', async () => {
    const { body, verificationId } = await crashedInitiate('initiate.quota-slot-taken');
    const holder = `${h.walletA.tenant._id}/${body.sessionId}/${verificationId}`;
    expect(await h.db.collection('open_verifications').countDocuments({ holder })).toBe(1);
    expect(await runReconciliation()).toMatchObject({ initiatesRolledBack: 1 });
    expect(await h.db.collection('open_verifications').countDocuments({ holder })).toBe(0);
  });

  it('frees slots whose verification ended or does not exist, and keeps the slot of an open verification', async () => {
    const body = await negotiatedInitiate();
    const open = await h.http.post('/verification/initiate', body, { identity: h.walletA });
    expect(open.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
    const openHolder = `${h.walletA.tenant._id}/${body.sessionId}/${open.json.verificationId}`;
    const leakedHolder = `${h.walletA.tenant._id}/${randomUUID()}/${randomUUID()}`;
    await h.db.collection('open_verifications').insertOne({
      _id: `${h.walletA.tenant._id}#9999` as never,
      tenantId: h.walletA.tenant._id,
      holder: leakedHolder,
      acquiredAt: new Date(Date.now() - 3600_000),
    });
    const summary = await runReconciliation();
    expect(summary.quotaSlotsReleased).toBeGreaterThanOrEqual(1);
    expect(await h.db.collection('open_verifications').countDocuments({ holder: leakedHolder })).toBe(0);
    expect(await h.db.collection('open_verifications').countDocuments({ holder: openHolder })).toBe(1);
    expect(
      await h.db.collection('reconciliation_repairs').countDocuments({ kind: 'quota-slot-released', tenantId: h.walletA.tenant._id }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('rolls back only the re-verification when a re-verification died before storing its data', async () => {
    const sessions = h.deps.sessions;
    const first = await approvableInitiate();
    const started = await h.http.post('/verification/initiate', first, { identity: h.walletA });
    const key = { tenantId: h.walletA.tenant._id, sessionId: first.sessionId };
    const next = (await sessions.find(key, started.json.verificationId))!;
    await sessions.recordDecision(key, next.verificationId, { status: 'EXPIRED' }, next.statusVersion + 1);
    const successor = await sessions.startReverification(key, next.verificationId, {
      ...next,
      verificationId: randomUUID(),
      initiatedBy: { requestId: randomUUID(), fingerprint: 'fp' },
    });
    await sessions.abandonVerification(key, successor as string);
    const restored = await sessions.get(key);
    expect(restored?.verificationId).toBe(started.json.verificationId);
    expect(await sessions.find(key, successor as string)).toBeNull();
  });

  it('ends a verification whose workflow was terminated as DENIED VERIFICATION_ABORTED and notifies the wallet', async () => {
    const body = await negotiatedInitiate();
    const started = await h.http.post('/verification/initiate', body, { identity: h.walletA });
    expect(started.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
    const ref = { tenantId: h.walletA.tenant._id, sessionId: body.sessionId, verificationId: started.json.verificationId as string };
    await h.temporal.workflow.getHandle(verificationWorkflowId(ref)).terminate('operator test');

    const summary = await runReconciliation();
    expect(summary.verificationsAborted).toBeGreaterThanOrEqual(1);
    expect(await statusOf(ref.sessionId, ref.verificationId, () => true)).toMatchObject({ status: 'DENIED', reasonCode: 'VERIFICATION_ABORTED' });
    await h.receiver.waitFor((n) => n.body.verificationId === ref.verificationId && n.body.status === 'DENIED');
    // Idempotent: the next pass sees a final projection and leaves it.
    expect((await runReconciliation()).verificationsAborted).toBe(0);
  });

  it('sends a given-up notification again, once per pass, until the Wallet Server takes it', async () => {
    const body = await approvableInitiate();
    const started = await h.http.post('/verification/initiate', body, { identity: h.walletA });
    const ref = { tenantId: h.walletA.tenant._id, sessionId: body.sessionId, verificationId: started.json.verificationId as string };
    await h.receiver.waitFor((n) => n.body.verificationId === ref.verificationId);
    // A later status that the notifier gave up on (the Wallet Server was down for its 4 attempts).
    const approved = { status: 'APPROVED' as const, credentialConfigurationIds: ['org.iso.18013.5.1.mDL'] };
    await h.deps.sessions.recordDecision(ref, ref.verificationId, approved, 2);
    await h.deps.sessions.recordNotificationAbandoned(ref, ref.verificationId, 2);
    const forThis = (request: { body: Record<string, unknown> }) => request.body.verificationId === ref.verificationId;

    const unacknowledged = async () =>
      (await h.deps.sessions.listUnacknowledgedNotifications({ since: new Date(0), limit: 1000 })).some((n) => n.verificationId === ref.verificationId);
    const attempts = () => h.receiver.attempts.filter(forThis).length;
    expect(await unacknowledged()).toBe(true);

    // Still down at the first pass: one attempt, and it stays due.
    h.receiver.answerNext(forThis, { status: 503 });
    const beforeFirst = attempts();
    expect((await runReconciliation()).notificationsFailed).toBeGreaterThanOrEqual(1);
    expect(attempts()).toBe(beforeFirst + 1);
    expect(await unacknowledged()).toBe(true);
    // Back up: the next pass delivers it, and the one after has nothing left to send for it.
    expect((await runReconciliation()).notificationsSent).toBeGreaterThanOrEqual(1);
    expect(attempts()).toBe(beforeFirst + 2);
    expect(h.receiver.received.filter(forThis).at(-1)?.body).toMatchObject({ status: 'APPROVED' });
    expect(await unacknowledged()).toBe(false);
    await runReconciliation();
    expect(attempts()).toBe(beforeFirst + 2);
    expect(await h.db.collection('reconciliation_repairs').countDocuments({ 'subject.verificationId': ref.verificationId, kind: 'notification-resent' })).toBe(
      1,
    );
  });

  it('runs on a Temporal Schedule that every worker brings to the configured settings', async () => {
    const input = passSettings();
    await ensureReconciliationSchedule(h.temporal, { taskQueue: h.config.temporal.taskQueue, intervalMs: 3600_000, input });
    await ensureReconciliationSchedule(h.temporal, { taskQueue: h.config.temporal.taskQueue, intervalMs: 1800_000, input });
    const schedule = await h.temporal.schedule.getHandle(reconciliationScheduleId(h.config.temporal.taskQueue)).describe();
    expect(schedule.spec.intervals).toEqual([expect.objectContaining({ every: 1800_000 })]);
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconciliationWorkflow' });
    expect(schedule.policies.overlap).toBe('SKIP');
    await h.temporal.schedule.getHandle(reconciliationScheduleId(h.config.temporal.taskQueue)).delete();
  });
});
