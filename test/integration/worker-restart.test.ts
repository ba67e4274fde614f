import { verificationStatusQuery, verificationWorkflowId } from '../../workflows/verification/messages';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { approvableInitiate, negotiatedInitiate } from '../support/wallet-requests';

let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness({ initialDecisionWaitMs: 500 });
});
afterAll(async () => {
  await h?.close();
});

async function pollStatus(sessionId: string, verificationId: string, until: (status: string) => boolean): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const response = await h.http.post('/verification/status', { sessionId, verificationId }, { identity: h.walletA });
    if (until(response.json.status)) return response.json.status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('status did not change');
}

describe('worker restart in the middle of sessions', () => {
  it('loses nothing: running sessions keep their state, sessions started while no worker ran complete afterwards', async () => {
    // A session that is waiting for more information while the worker goes away.
    const waiting = await negotiatedInitiate();
    const waitingStarted = await h.http.post('/verification/initiate', waiting, { identity: h.walletA });
    expect(waitingStarted.json.status).toBe('ADDITIONAL_INFO_REQUIRED');

    await h.stopWorker();

    // With no worker, initiate still answers within its bound: the session is PENDING.
    const during = await approvableInitiate();
    const duringStarted = await h.http.post('/verification/initiate', during, { identity: h.walletA });
    expect(duringStarted.status).toBe(200);
    expect(duringStarted.json.status).toBe('PENDING');
    expect((await h.http.post('/verification/status', { sessionId: during.sessionId, verificationId: duringStarted.json.verificationId }, { identity: h.walletA })).json.status).toBe('PENDING');

    // A new worker picks both up.
    await h.startWorker();
    expect(await pollStatus(during.sessionId, duringStarted.json.verificationId, (s) => s !== 'PENDING')).toBe('APPROVED');

    // The waiting workflow was rebuilt from its history on the new worker, state intact.
    const handle = h.temporal.workflow.getHandle(verificationWorkflowId({ tenantId: h.walletA.tenant._id, sessionId: waiting.sessionId, verificationId: waitingStarted.json.verificationId }));
    expect(await handle.query(verificationStatusQuery)).toEqual({ status: 'ADDITIONAL_INFO_REQUIRED', verificationDataRequest: waitingStarted.json.verificationDataRequest });
    expect((await h.http.post('/verification/status', { sessionId: waiting.sessionId, verificationId: waitingStarted.json.verificationId }, { identity: h.walletA })).json).toEqual(waitingStarted.json);
  });
});
