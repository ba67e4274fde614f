import { verificationStatusQuery, verificationWorkflowId } from '../../workflows/verification/messages';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { pollUntil } from '../support/polling';
import { approvableInitiate, negotiatedInitiate } from '../support/wallet-requests';

let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness({ initialDecisionWaitMs: 500 });
});
afterAll(async () => {
  await h?.close();
});

/** The VerificationStatus once `until` holds (the worker decides on its own time). */
async function pollStatus(sessionId: string, verificationId: string, until: (status: string) => boolean) {
  const response = await pollUntil(
    () => h.http.post('/verification/status', { sessionId, verificationId }, { identity: h.walletA }),
    (r) => until(r.json.status),
    { what: 'status change' },
  );
  return response.json;
}

describe('worker restart in the middle of sessions', () => {
  it('loses nothing: running sessions keep their state, sessions started while no worker ran complete afterwards', async () => {
    // A session that is waiting for more information while the worker goes away.
    const waiting = await negotiatedInitiate();
    const waitingStarted = await h.http.post('/verification/initiate', waiting, { identity: h.walletA });
    // Initiate waits only 500 ms here (so that it answers quickly without a worker below); a busy
    // worker may decide later, so the first decision is awaited by polling.
    const waitingStatus = await pollStatus(waiting.sessionId, waitingStarted.json.verificationId, (s) => s !== 'PENDING');
    expect(waitingStatus.status).toBe('ADDITIONAL_INFO_REQUIRED');

    await h.stopWorker();

    // With no worker, initiate still answers within its bound: the session is PENDING.
    const during = await approvableInitiate();
    const duringStarted = await h.http.post('/verification/initiate', during, { identity: h.walletA });
    expect(duringStarted.status).toBe(200);
    expect(duringStarted.json.status).toBe('PENDING');
    expect(
      (await h.http.post('/verification/status', { sessionId: during.sessionId, verificationId: duringStarted.json.verificationId }, { identity: h.walletA }))
        .json.status,
    ).toBe('PENDING');

    // A new worker picks both up.
    await h.startWorker();
    expect((await pollStatus(during.sessionId, duringStarted.json.verificationId, (s) => s !== 'PENDING')).status).toBe('APPROVED');

    // The waiting workflow was rebuilt from its history on the new worker, state intact.
    const handle = h.temporal.workflow.getHandle(
      verificationWorkflowId({ tenantId: h.walletA.tenant._id, sessionId: waiting.sessionId, verificationId: waitingStarted.json.verificationId }),
    );
    expect(await handle.query(verificationStatusQuery)).toEqual({
      status: 'ADDITIONAL_INFO_REQUIRED',
      verificationDataRequest: waitingStatus.verificationDataRequest,
    });
    expect(
      (await h.http.post('/verification/status', { sessionId: waiting.sessionId, verificationId: waitingStarted.json.verificationId }, { identity: h.walletA }))
        .json,
    ).toEqual(waitingStatus);
  });
});
