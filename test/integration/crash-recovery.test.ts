import { randomUUID } from 'node:crypto';
import { crashPoints } from '../../api/fault-injection';
import { requestFingerprint } from '../../api/middleware/idempotency';
import { WorkflowNotStartedError } from '../../clients/temporal/verification-workflows';
import { verificationWorkflowId } from '../../domain/workflow-ids';
import { createIdempotencyRepository } from '../../store/idempotency';
import { startCrashingApi } from '../support/crashing-api';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { approvableInitiate } from '../support/wallet-requests';

/**
 * Profile §3: an execution whose API process dies holds its x-request-id only for a short lease;
 * a retry with the same x-request-id and body then takes over and finishes it. Each test kills a
 * real API process (SIGKILL, no cleanup) right after one effect of initiate and retries against
 * another API process on the same database and Temporal.
 */
let h: IssuerHarness;
beforeAll(async () => {
  // A duplicate waits for the original up to this wait plus 3 s before it gets 409.
  h = await startIssuerHarness({ initialDecisionWaitMs: 2000 });
});
afterAll(async () => {
  await h?.close();
});

async function workflowsOfSession(sessionId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of h.temporal.workflow.list({ query: `WorkflowId STARTS_WITH "verification-${h.walletA.tenant._id}-${sessionId}"` }))
    ids.push(execution.workflowId);
  return ids;
}

async function pollStatus(sessionId: string, verificationId: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const response = await h.http.post('/verification/status', { sessionId, verificationId }, { identity: h.walletA });
    if (response.json.status !== 'PENDING') return response.json.status as string;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return 'PENDING';
}

describe('an initiate whose API process is killed mid-request', () => {
  it.each(crashPoints)('is finished by a retry with the same x-request-id after a kill at %s', async (point) => {
    const crashing = await startCrashingApi(h, point);
    const body = await approvableInitiate();
    const headers = { 'x-request-id': randomUUID() };
    await expect(crashing.http.post('/verification/initiate', body, { identity: h.walletA, headers })).rejects.toThrow();
    expect(await crashing.exited).toBe('SIGKILL');
    await crashing.stop();

    // What the dead process left: the session (with the verificationId it chose) at least.
    const stored = await h.db.collection('verification_sessions').findOne({ tenantId: h.walletA.tenant._id, sessionId: body.sessionId });
    const chosen = Object.keys((stored?.verifications as Record<string, unknown> | undefined) ?? {});
    expect(chosen).toHaveLength(1);

    const retry = await h.http.post('/verification/initiate', body, { identity: h.walletA, headers });
    expect(retry.status).toBe(200);
    expect(retry.json.verificationId).toBe(chosen[0]);
    expect(await pollStatus(body.sessionId, retry.json.verificationId)).toBe('APPROVED');
    expect(await workflowsOfSession(body.sessionId)).toEqual([
      verificationWorkflowId({ tenantId: h.walletA.tenant._id, sessionId: body.sessionId, verificationId: retry.json.verificationId }),
    ]);

    // The finished execution is stored: a further retry is a replay.
    const replay = await h.http.post('/verification/initiate', body, { identity: h.walletA, headers });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json.verificationId).toBe(chosen[0]);
  });
});

describe('executions in progress and server errors (profile §3)', () => {
  it('answers 409 request-in-progress with Retry-After while another execution holds the x-request-id', async () => {
    const body = await approvableInitiate();
    const requestId = randomUUID();
    // Another API process is executing this very request and keeps renewing its lease.
    const elsewhere = createIdempotencyRepository(h.db, { retentionMs: 60_000, leaseMs: 60_000 });
    await elsewhere.claim(
      { tenantId: h.walletA.tenant._id, requestId },
      { fingerprint: requestFingerprint({ method: 'POST', path: '/verification/initiate', body }), path: '/verification/initiate' },
    );
    const duplicate = await h.http.post('/verification/initiate', body, { identity: h.walletA, headers: { 'x-request-id': requestId } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json).toMatchObject({ type: 'urn:s2s-issuer:problem:request-in-progress', retryable: true });
    expect(duplicate.headers['retry-after']).toBe('1');
    expect(await h.db.collection('verification_sessions').countDocuments({ sessionId: body.sessionId })).toBe(0);
  });

  it('does not store a 5xx answer: the retry executes and succeeds', async () => {
    const body = await approvableInitiate();
    const headers = { 'x-request-id': randomUUID() };
    const start = h.deps.workflows.start;
    h.deps.workflows.start = () => Promise.reject(new WorkflowNotStartedError('Temporal is unreachable'));
    let failed;
    try {
      failed = await h.http.post('/verification/initiate', body, { identity: h.walletA, headers });
    } finally {
      h.deps.workflows.start = start;
    }
    expect(failed.status).toBe(503);
    expect(failed.json).toMatchObject({ type: 'urn:s2s-issuer:problem:service-unavailable', retryable: true });
    const retry = await h.http.post('/verification/initiate', body, { identity: h.walletA, headers });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.json.status).toBe('APPROVED');
  });
});
