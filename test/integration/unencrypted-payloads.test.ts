import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { verificationWorkflowId } from '../../domain/workflow-ids';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { negotiatedInitiate } from '../support/wallet-requests';

/**
 * Someone who can reach Temporal but has not got the payload key (the Temporal CLI, the Web UI
 * without the codec) sends a plain JSON verdict to a verification. The worker's codec refuses it:
 * the workflow task fails, and the verification does not move.
 */
let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness({ initialDecisionWaitMs: 5000 });
});
afterAll(async () => {
  await h?.close();
});

it('does not act on a plain (unencrypted) verdict signal: the workflow task fails and the status stays', async () => {
  const body = await negotiatedInitiate();
  const started = await h.http.post('/verification/initiate', body, { identity: h.walletA });
  expect(started.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
  const workflowId = verificationWorkflowId({ tenantId: h.walletA.tenant._id, sessionId: body.sessionId, verificationId: started.json.verificationId });

  // A client without the issuer's codec, as the Temporal CLI would be.
  const plain = new Client({ connection: h.temporal.connection, namespace: h.config.temporal.namespace });
  await plain.workflow.getHandle(workflowId).signal('verdict', { outcome: 'APPROVED', source: 'provider', decidedBy: 'intruder' });

  const failedTask = async () => {
    const history = await plain.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).some((event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
  };
  const deadline = Date.now() + 20_000;
  while (!(await failedTask()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  expect(await failedTask()).toBe(true);
  const status = await h.http.post('/verification/status', { sessionId: body.sessionId, verificationId: started.json.verificationId }, { identity: h.walletA });
  expect(status.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
  await plain.workflow.getHandle(workflowId).terminate('test: refused an unencrypted signal');
});

it('ignores an encrypted verdict without the API’s proof of origin, and applies one sent by the API', async () => {
  const body = await negotiatedInitiate();
  const started = await h.http.post('/verification/initiate', body, { identity: h.walletA });
  expect(started.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
  const ref = { tenantId: h.walletA.tenant._id, sessionId: body.sessionId, verificationId: started.json.verificationId as string };
  const statusOf = async () =>
    (await h.http.post('/verification/status', { sessionId: ref.sessionId, verificationId: ref.verificationId }, { identity: h.walletA })).json.status;

  // Encrypted with the payload key (as the Web UI's codec server would encode it), but unsigned.
  await h.temporal.workflow.getHandle(verificationWorkflowId(ref)).signal('verdict', { outcome: 'APPROVED', source: 'provider', decidedBy: 'intruder' });
  // Processed: after the signal a workflow task completed with the proof check (a local activity: a marker).
  const EventType = temporal.api.enums.v1.EventType;
  const refused = async () => {
    const types = ((await h.temporal.workflow.getHandle(verificationWorkflowId(ref)).fetchHistory()).events ?? []).map((event) => event.eventType);
    const signalled = types.indexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
    const after = signalled < 0 ? [] : types.slice(signalled);
    const completed = after.indexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    return completed >= 0 && after.slice(completed).includes(EventType.EVENT_TYPE_MARKER_RECORDED);
  };
  const deadline = Date.now() + 20_000;
  while (!(await refused()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  expect(await refused()).toBe(true);
  expect(await statusOf()).toBe('ADDITIONAL_INFO_REQUIRED');

  // The API's own client signs: the same verdict applies.
  await h.deps.workflows.sendVerdict(ref, { outcome: 'APPROVED', source: 'provider', decidedBy: 'provider-x' });
  const until = Date.now() + 20_000;
  while ((await statusOf()) !== 'APPROVED' && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 200));
  expect(await statusOf()).toBe('APPROVED');
});

it('ignores an encrypted cancellation without the API’s proof of origin', async () => {
  const body = await negotiatedInitiate();
  const started = await h.http.post('/verification/initiate', body, { identity: h.walletA });
  const ref = { tenantId: h.walletA.tenant._id, sessionId: body.sessionId, verificationId: started.json.verificationId as string };
  // Encrypted with the payload key, unsigned: the Update answers with the unchanged status.
  const answer = await h.temporal.workflow
    .getHandle(verificationWorkflowId(ref))
    .executeUpdate('cancel', { args: [{ verificationId: ref.verificationId, reason: 'INTRUDER' }] });
  expect(answer).toMatchObject({ status: 'ADDITIONAL_INFO_REQUIRED' });
  const status = await h.http.post('/verification/status', { sessionId: ref.sessionId, verificationId: ref.verificationId }, { identity: h.walletA });
  expect(status.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
  // The API's own cancellation (signed) ends it.
  const cancelled = await h.http.post(
    '/verification/cancel',
    { sessionId: ref.sessionId, verificationId: ref.verificationId, reason: 'USER_CANCELLED' },
    { identity: h.walletA },
  );
  expect(cancelled.status).toBe(200);
  expect(
    (await h.http.post('/verification/status', { sessionId: ref.sessionId, verificationId: ref.verificationId }, { identity: h.walletA })).json,
  ).toMatchObject({
    status: 'DENIED',
    reasonCode: 'CANCELLED',
  });
});
