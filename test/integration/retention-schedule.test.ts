import { randomBytes, randomUUID } from 'node:crypto';
import { ensureRetentionSchedule } from '../../clients/temporal/retention-schedule';
import { createContentDownloadStore } from '../../store/content-downloads';
import { collections } from '../../store/mongo';
import { retentionScheduleId, type RetentionSummary } from '../../workflows/retention/messages';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { approvableInitiate, negotiatedInitiate } from '../support/wallet-requests';

/**
 * The retention pass as the worker runs it (profile §Retention): a workflow on its own Schedule,
 * over the API's real records. Evidence is kept for no time here, sessions for an hour.
 */
let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness({ env: { S2S_RETENTION_EVIDENCE_MS: '0', S2S_RETENTION_SESSION_MS: '3600000' } });
});
afterAll(async () => {
  await h?.close();
});

function runRetention(): Promise<RetentionSummary> {
  return h.temporal.workflow.execute('retentionWorkflow', {
    taskQueue: h.config.temporal.taskQueue,
    workflowId: `retention-test-${randomUUID()}`,
    args: [{ batchLimit: 100 }],
  });
}

const evidenceOf = (sessionId: string) => h.db.collection(collections.verificationData).countDocuments({ tenantId: h.walletA.tenant._id, sessionId });

describe('the retention pass (profile §Retention)', () => {
  it('deletes the evidence of an ended verification, keeps its status readable and an open verification’s evidence, and does nothing the second time', async () => {
    const ended = await approvableInitiate();
    const endedResponse = await h.http.post('/verification/initiate', ended, { identity: h.walletA });
    expect(endedResponse.json.status).toBe('APPROVED');
    const open = await negotiatedInitiate();
    expect((await h.http.post('/verification/initiate', open, { identity: h.walletA })).json.status).toBe('ADDITIONAL_INFO_REQUIRED');
    expect(await evidenceOf(ended.sessionId)).toBe(1);
    expect(await evidenceOf(open.sessionId)).toBe(1);

    // The approved verification's final status is stored before initiate answers; a moment later it is due.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const first = await runRetention();
    expect(first.evidenceRemoved).toBe(1);
    expect(first.sessionsRetired).toBe(0);
    expect(await evidenceOf(ended.sessionId)).toBe(0);
    expect(await evidenceOf(open.sessionId)).toBe(1);
    const status = await h.http.post(
      '/verification/status',
      { sessionId: ended.sessionId, verificationId: endedResponse.json.verificationId },
      { identity: h.walletA },
    );
    expect(status.json).toMatchObject({ status: 'APPROVED' });

    const second = await runRetention();
    expect(second).toEqual({
      evidenceRemoved: 0,
      sessionsRetired: 0,
      oneTimeCodeRecords: 0,
      credentialOffers: 0,
      repairRecords: 0,
      idempotencyRecords: 0,
      contentDownloads: 0,
      issuanceRecords: 0,
    });
    expect(await evidenceOf(open.sessionId)).toBe(1);
  });

  it('deletes contents delivered by reference once expired, where no TTL index does (profile §25 Content Reference)', async () => {
    const downloads = createContentDownloadStore(h.db);
    const expired = await downloads.save(h.walletA.tenant._id, randomBytes(600 * 1024), new Date(Date.now() - 1000));
    const live = await downloads.save(h.walletA.tenant._id, randomBytes(1024), new Date(Date.now() + 600_000));
    const chunksBefore = await h.db.collection(collections.contentDownloadChunks).countDocuments({});
    expect((await runRetention()).contentDownloads).toBe(1);
    expect(await h.db.collection(collections.contentDownloads).countDocuments({})).toBe(1);
    // The expired content's three chunks are gone, the live one's stays.
    expect(await h.db.collection(collections.contentDownloadChunks).countDocuments({})).toBe(chunksBefore - 3);
    expect(await downloads.open(h.walletA.tenant._id, live.id)).not.toBeNull();
    expect(await downloads.open(h.walletA.tenant._id, expired.id)).toBeNull();
    expect((await runRetention()).contentDownloads).toBe(0);
  });

  it('runs on its own Temporal Schedule, apart from reconciliation', async () => {
    await ensureRetentionSchedule(h.temporal, { taskQueue: h.config.temporal.taskQueue, intervalMs: 3600_000, input: { batchLimit: 10 } });
    await ensureRetentionSchedule(h.temporal, { taskQueue: h.config.temporal.taskQueue, intervalMs: 900_000, input: { batchLimit: 20 } });
    const handle = h.temporal.schedule.getHandle(retentionScheduleId(h.config.temporal.taskQueue));
    const schedule = await handle.describe();
    expect(retentionScheduleId(h.config.temporal.taskQueue)).toBe(`retention-${h.config.temporal.taskQueue}`);
    expect(schedule.spec.intervals).toEqual([expect.objectContaining({ every: 900_000 })]);
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionWorkflow', args: [{ batchLimit: 20 }] });
    expect(schedule.policies.overlap).toBe('SKIP');
    await handle.delete();
  });
});
