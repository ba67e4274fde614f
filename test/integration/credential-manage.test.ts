import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { StatusList } from '@sd-jwt/jwt-status-list';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { loadIssuerKeyMaterial } from '../../crypto/key-material';
import type { CredentialSigningKeyFile } from '../../crypto/credential-signing-keys';
import { fakeHolders, seedFakeHolders } from '../../dev/fake-holders';
import { createIssuerHolderRepository } from '../../store/issuer-holders';
import { collections } from '../../store/mongo';
import { credentialLifecycleStateQuery, credentialLifecycleWorkflowId } from '../../workflows/credential-lifecycle/messages';
import { openCredentials } from '../support/credential-wallet';
import { verifyX5cChain } from '../support/credential-signing';
import { credentialFlow } from '../support/credential-flow';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { decodeSdJwtByHand } from '../support/sd-jwt-by-hand';
import { pollUntil } from '../support/polling';
import type { ReconciliationInput, ReconciliationSummary } from '../../workflows/reconciliation/messages';

/**
 * S2S §Credential Manage and §Get Credential Status from the Wallet Server, over mTLS on the real
 * stack (profile §29): each change reaches the published status list, which is read back with
 * an independent decoder (@sd-jwt/jwt-status-list) after verifying the list's signature.
 */
const pid = 'eu.europa.ec.eudi.pid.1';

let h: IssuerHarness;
let trustAnchor: X509Certificate;
beforeAll(async () => {
  h = await startIssuerHarness();
  await seedFakeHolders(h.db, loadIssuerKeyMaterial(h.config).dataKeyring);
  const keys = JSON.parse(readFileSync(h.config.keys.signingKeysFile, 'utf8')) as CredentialSigningKeyFile;
  const active = keys.keys.find((key) => key.id === keys.active);
  trustAnchor = new X509Certificate(Buffer.from(active?.certificateChain.at(-1) as string, 'base64'));
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const { post, approvedWallet, instanceOf, buildGet } = credentialFlow(() => h);
const imfFixdate = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** The published status of a credential's entry, as a Relying Party reads it (signature first). */
function publishedStatus(entry: { idx: number; uri: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = https.get(entry.uri.replace(h.config.statusLists.publicUrl, h.statusListUrl), { ca: h.caPem, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const token = Buffer.concat(chunks).toString('utf8');
        jwtVerify(token, verifyX5cChain(decodeProtectedHeader(token).x5c, trustAnchor), { typ: 'statuslist+jwt' })
          .then(({ payload }) => {
            const list = payload.status_list as { bits: 1 | 2 | 4 | 8; lst: string };
            resolve(StatusList.decompressStatusList(list.lst, list.bits).getStatus(entry.idx));
          })
          .catch(reject);
      });
    });
    request.on('error', reject);
  });
}

/**
 * Waits until the operator's Temporal UI query for `status` (the one the closing note gives)
 * lists the instance's workflow: the dev server's visibility is eventually consistent.
 */
async function operatorFinds(status: string, credentialInstanceId: string): Promise<void> {
  const tenantId = h.walletA.tenant._id;
  const query = `WorkflowType = 'credentialLifecycleWorkflow' AND S2sTenantId = '${tenantId}' AND S2sCredentialConfigurationId = '${pid}' AND S2sCredentialStatus = '${status}'`;
  const workflowId = credentialLifecycleWorkflowId({ tenantId, credentialInstanceId });
  const listed = async () => {
    const ids: string[] = [];
    for await (const execution of h.temporal.workflow.list({ query })) ids.push(execution.workflowId);
    return ids;
  };
  await pollUntil(listed, (ids) => ids.includes(workflowId), { what: `${workflowId} listed as ${status}` });
}

/** One pass of the reconciliation Schedule's workflow, run now (the sweep off unless `sweepLimit`). */
function reconciliationPass(sweepLimit = 0): Promise<ReconciliationSummary> {
  const input: ReconciliationInput = {
    lapsedGraceMs: 600_000,
    closedLookbackMs: 3600_000,
    batchLimit: 100,
    outboundTaskQueue: h.config.temporal.outboundTaskQueue,
    notificationResendAfterMs: 600_000,
    notificationLookbackMs: 3600_000,
    sweepLimit,
  };
  return h.temporal.workflow.execute('reconciliationWorkflow', {
    taskQueue: h.config.temporal.taskQueue,
    workflowId: `reconciliation-test-${randomUUID()}`,
    args: [input],
  });
}

async function issuedInstance() {
  const wallet = await approvedWallet([pid]);
  const credentialInstanceId = await instanceOf(wallet, pid);
  const ids = { sessionId: wallet.ids.sessionId, credentialInstanceId };
  const get = async () => {
    const built = await buildGet(wallet, credentialInstanceId, { presentmentKeyCount: 2 });
    return { answer: await post('/credential/get', built.body), built };
  };
  return { wallet, ids, get };
}

describe('credential lifecycle from the Wallet Server (profile §29)', () => {
  it('reports IN_PROCESS, then ACTIVE with the version issued; suspends, resumes and unlinks, each change in the published list', async () => {
    const { ids, get } = await issuedInstance();
    const provisioned = await post('/credential/status', ids);
    expect(provisioned.status).toBe(200);
    expect(provisioned.json).toEqual({
      currentStatus: 'IN_PROCESS',
      currentVersion: '',
      lastStatusChangeTime: expect.stringMatching(imfFixdate),
      lastStatusChangeReason: 'provisioned',
    });
    await operatorFinds('IN_PROCESS', ids.credentialInstanceId);

    const first = await get();
    expect(first.answer.status).toBe(200);
    const credentials = await openCredentials(first.answer.json.credentials, first.built.walletEncryption.privateJwk);
    const entries = credentials.map(
      (credential) => (decodeSdJwtByHand(credential).signedPayload.status as { status_list: { idx: number; uri: string } }).status_list,
    );
    expect(await Promise.all(entries.map(publishedStatus))).toEqual([0, 0]);
    expect((await post('/credential/status', ids)).json).toMatchObject({
      currentStatus: 'ACTIVE',
      currentVersion: first.answer.json.credentialVersion,
      lastStatusChangeReason: 'issued',
    });
    await operatorFinds('ACTIVE', ids.credentialInstanceId);

    const suspended = await post('/credential/manage', {
      ...ids,
      action: 'SUSPEND',
      reason: 'device_lost',
      reasonDetail: 'left on the 7:42 train',
      timestamp: new Date().toISOString(),
    });
    expect(suspended.status).toBe(200);
    expect(suspended.json).toEqual({ ...ids, currentStatus: 'SUSPENDED_WALLET', previousStatus: 'ACTIVE', outcome: 'COMPLETED' });
    // Every credential of the instance, suspended in the list the credentials name (0x02).
    expect(await Promise.all(entries.map(publishedStatus))).toEqual([2, 2]);
    expect((await post('/credential/status', ids)).json).toMatchObject({ currentStatus: 'SUSPENDED_WALLET', lastStatusChangeReason: 'device_lost' });
    await operatorFinds('SUSPENDED_WALLET', ids.credentialInstanceId);
    expect((await get()).answer.json).toMatchObject({ type: 'urn:s2s-issuer:problem:credential-instance-suspended', status: 409 });
    // reasonDetail is free text: not stored with the instance.
    const record = await h.db.collection(collections.credentialInstances).findOne({ credentialInstanceId: ids.credentialInstanceId });
    expect(JSON.stringify(record)).not.toContain('7:42 train');

    const resumed = await post('/credential/manage', { ...ids, action: 'RESUME' });
    expect(resumed.json).toEqual({ ...ids, currentStatus: 'ACTIVE', previousStatus: 'SUSPENDED_WALLET', outcome: 'COMPLETED' });
    expect(await Promise.all(entries.map(publishedStatus))).toEqual([0, 0]);
    expect((await get()).answer.status).toBe(200);

    const unlinked = await post('/credential/manage', { ...ids, action: 'UNLINK', reason: 'removed_by_user' });
    expect(unlinked.json).toEqual({ ...ids, currentStatus: 'UNLINKED', previousStatus: 'ACTIVE', outcome: 'COMPLETED' });
    // INVALID (0x01), final.
    expect(await Promise.all(entries.map(publishedStatus))).toEqual([1, 1]);
    expect((await get()).answer.json).toMatchObject({ type: 'urn:s2s-issuer:problem:credential-instance-closed', status: 409 });
    expect((await post('/credential/manage', { ...ids, action: 'RESUME' })).json).toEqual({
      ...ids,
      currentStatus: 'UNLINKED',
      previousStatus: 'UNLINKED',
      outcome: 'FAILED',
      failureReason: 'unlinked',
    });
    expect((await post('/credential/manage', { ...ids, action: 'UNLINK' })).json).toMatchObject({ currentStatus: 'UNLINKED', outcome: 'NO_CHANGE' });
  });

  it('answers NO_CHANGE for a request already satisfied and FAILED with its reason before anything is issued', async () => {
    const { ids, get } = await issuedInstance();
    expect((await post('/credential/manage', { ...ids, action: 'SUSPEND' })).json).toEqual({
      ...ids,
      currentStatus: 'IN_PROCESS',
      previousStatus: 'IN_PROCESS',
      outcome: 'FAILED',
      failureReason: 'not_issued',
    });
    expect((await get()).answer.status).toBe(200);
    expect((await post('/credential/manage', { ...ids, action: 'RESUME' })).json).toEqual({
      ...ids,
      currentStatus: 'ACTIVE',
      previousStatus: 'ACTIVE',
      outcome: 'NO_CHANGE',
    });
  });

  it('replays a retried manage request with the same x-request-id instead of executing it again', async () => {
    const { ids, get } = await issuedInstance();
    expect((await get()).answer.status).toBe(200);
    const headers = { 'x-request-id': randomUUID() };
    const first = await h.http.post('/credential/manage', { ...ids, action: 'SUSPEND' }, { identity: h.walletA, headers });
    const again = await h.http.post('/credential/manage', { ...ids, action: 'SUSPEND' }, { identity: h.walletA, headers });
    expect(first.json).toMatchObject({ outcome: 'COMPLETED' });
    expect(again.json).toEqual(first.json);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('answers another Wallet Server’s instance like a missing one, and refuses actions and reasons outside the schema', async () => {
    const { ids, get } = await issuedInstance();
    expect((await get()).answer.status).toBe(200);
    const missing = { type: 'urn:s2s-issuer:problem:credential-instance-not-found', status: 404 };
    expect((await post('/credential/status', ids, h.walletB)).json).toMatchObject(missing);
    expect((await post('/credential/manage', { ...ids, action: 'SUSPEND' }, h.walletB)).json).toMatchObject(missing);
    expect((await post('/credential/status', { ...ids, credentialInstanceId: randomUUID() })).json).toMatchObject(missing);
    const invalid = { type: 'urn:s2s-issuer:problem:invalid-request', status: 400 };
    expect((await post('/credential/manage', { ...ids, action: 'CANCEL' })).json).toMatchObject(invalid);
    expect((await post('/credential/manage', { ...ids, action: 'SUSPEND', reason: 'not a code' })).json).toMatchObject(invalid);
    expect((await post('/credential/manage', { ...ids, action: 'SUSPEND', reasonDetail: 'x'.repeat(513) })).json).toMatchObject(invalid);
    // Nothing above changed the instance.
    expect((await post('/credential/status', ids)).json).toMatchObject({ currentStatus: 'ACTIVE' });
  });

  it('lets the back office suspend one instance (the Wallet Server cannot resume it) and revoke a holder’s instances, telling the Wallet Server each time', async () => {
    const first = await issuedInstance();
    const second = await issuedInstance();
    const entriesOf = async (get: () => ReturnType<typeof first.get>) => {
      const { answer, built } = await get();
      expect(answer.status).toBe(200);
      const credentials = await openCredentials(answer.json.credentials, built.walletEncryption.privateJwk);
      return credentials.map((credential) => (decodeSdJwtByHand(credential).signedPayload.status as { status_list: { idx: number; uri: string } }).status_list);
    };
    const firstEntries = await entriesOf(first.get);
    const secondEntries = await entriesOf(second.get);
    const told = (credentialInstanceId: string) =>
      h.receiver.received
        .filter((r) => r.path.endsWith('/credential/manage') && r.body.credentialInstanceId === credentialInstanceId)
        .map((r) => r.body.action);

    const tenantId = h.walletA.tenant._id;
    const suspended = await h.admin('POST', `/admin/credential-instances/${tenantId}/${first.ids.credentialInstanceId}/lifecycle`, 'backOffice', {
      action: 'SUSPEND',
      reason: 'fraud_check',
    });
    expect(suspended.status).toBe(200);
    expect(suspended.json).toEqual({
      tenantId,
      credentialInstanceId: first.ids.credentialInstanceId,
      currentStatus: 'SUSPENDED_ISSUER',
      previousStatus: 'ACTIVE',
      outcome: 'COMPLETED',
    });
    expect(await Promise.all(firstEntries.map(publishedStatus))).toEqual([2, 2]);
    await pollUntil(
      async () => told(first.ids.credentialInstanceId),
      (actions) => actions.length > 0,
    );
    expect(told(first.ids.credentialInstanceId)).toEqual(['SUSPEND']);
    expect((await post('/credential/manage', { ...first.ids, action: 'RESUME' })).json).toMatchObject({
      currentStatus: 'SUSPENDED_ISSUER',
      outcome: 'FAILED',
      failureReason: 'suspended_by_issuer',
    });
    expect((await post('/credential/status', first.ids)).json).toMatchObject({ currentStatus: 'SUSPENDED_ISSUER', lastStatusChangeReason: 'fraud_check' });

    // Both instances are the same fake holder's: revoked together, each Wallet Server told UNLINK.
    const revoked = await h.admin('POST', '/admin/holders/test-holder-erika/lifecycle', 'backOffice', { action: 'CANCEL', reason: 'revoked' });
    expect(revoked.status).toBe(200);
    const results = revoked.json.results as { credentialInstanceId: string; currentStatus: string; outcome: string }[];
    for (const { ids } of [first, second]) {
      expect(results.find((r) => r.credentialInstanceId === ids.credentialInstanceId)).toMatchObject({ currentStatus: 'CANCELLED', outcome: 'COMPLETED' });
    }
    expect(await Promise.all([...firstEntries, ...secondEntries].map(publishedStatus))).toEqual([1, 1, 1, 1]);
    await pollUntil(
      async () => told(second.ids.credentialInstanceId),
      (actions) => actions.includes('UNLINK'),
    );
    expect(told(second.ids.credentialInstanceId)).toEqual(['UNLINK']);
    expect((await post('/credential/status', second.ids)).json).toMatchObject({ currentStatus: 'CANCELLED', lastStatusChangeReason: 'revoked' });
    // CANCELLED is final: the workflow has ended, and the record answers.
    expect((await post('/credential/manage', { ...second.ids, action: 'UNLINK' })).json).toMatchObject({ currentStatus: 'CANCELLED', outcome: 'NO_CHANGE' });
    expect((await post('/credential/manage', { ...second.ids, action: 'RESUME' })).json).toMatchObject({ outcome: 'FAILED', failureReason: 'cancelled' });
    const again = await h.admin('POST', `/admin/credential-instances/${tenantId}/${second.ids.credentialInstanceId}/lifecycle`, 'backOffice', {
      action: 'RESUME',
    });
    expect(again.json).toMatchObject({ currentStatus: 'CANCELLED', outcome: 'FAILED', failureReason: 'cancelled' });
    // Only the back office may: a reviewer's credentials are refused.
    expect((await h.admin('POST', '/admin/holders/test-holder-erika/lifecycle', 'alice', { action: 'RESUME' })).status).toBe(403);
  });

  it('takes the nine Wallet Server events with their details, records them in the instance’s workflow, and refuses other types and details', async () => {
    const { ids, get } = await issuedInstance();
    const issued = await get();
    expect(issued.answer.status).toBe(200);
    const notify = (eventType: string, eventDetails?: Record<string, unknown>, identity = h.walletA) =>
      post('/event/notify', { ...ids, eventType, eventTimestamp: new Date().toISOString(), ...(eventDetails ? { eventDetails } : {}) }, identity);
    const state = () =>
      h.temporal.workflow
        .getHandle(credentialLifecycleWorkflowId({ tenantId: h.walletA.tenant._id, credentialInstanceId: ids.credentialInstanceId }))
        .query(credentialLifecycleStateQuery);

    const version = issued.answer.json.credentialVersion as string;
    expect((await notify('PROVISIONING_SUCCESS', { credentialVersion: version, credentialCount: 2 })).json).toEqual({ acknowledged: true });
    expect((await notify('KEY_ROTATED', { keyCount: 3 })).json).toEqual({ acknowledged: true });
    expect((await notify('CREDENTIAL_EXPIRING', { expiresAt: new Date(Date.now() + 86_400_000).toISOString() })).json).toEqual({ acknowledged: true });
    await h.admin('POST', `/admin/credential-instances/${h.walletA.tenant._id}/${ids.credentialInstanceId}/lifecycle`, 'backOffice', { action: 'SUSPEND' });
    await pollUntil(state, (s) => s.lastWalletPush !== undefined);
    expect((await notify('LIFECYCLE_FAILURE', { action: 'SUSPEND', failureReason: 'device_offline' })).json).toEqual({ acknowledged: true });
    // The other five, each with its details.
    expect((await notify('PROVISIONING_FAILURE', { failureReason: 'secure_element_full' })).json).toEqual({ acknowledged: true });
    expect((await notify('UPDATE_FAILURE', { failureReason: 'storage_error', credentialVersion: version })).json).toEqual({ acknowledged: true });
    expect((await notify('UPDATE_REMINDER', { credentialVersion: version })).json).toEqual({ acknowledged: true });
    expect((await notify('UPDATE_SUCCESS', { credentialVersion: version })).json).toEqual({ acknowledged: true });
    expect((await notify('LIFECYCLE_SUCCESS', { action: 'SUSPEND', currentStatus: 'SUSPENDED_ISSUER' })).json).toEqual({ acknowledged: true });

    const recorded = await pollUntil(state, (s) => s.walletEvents?.length === 9);
    expect(recorded.walletEvents?.map((e) => e.eventType)).toEqual([
      'PROVISIONING_SUCCESS',
      'KEY_ROTATED',
      'CREDENTIAL_EXPIRING',
      'LIFECYCLE_FAILURE',
      'PROVISIONING_FAILURE',
      'UPDATE_FAILURE',
      'UPDATE_REMINDER',
      'UPDATE_SUCCESS',
      'LIFECYCLE_SUCCESS',
    ]);
    expect(recorded.walletEvents?.[4]).toMatchObject({ details: { failureReason: 'secure_element_full' } });
    expect(recorded.walletCredentialVersion).toBe(version);
    expect(recorded.provisioningFailures).toBe(1);
    // The last report on the change the issuer told wins.
    expect(recorded.lastWalletPush).toMatchObject({ outcome: 'delivered', walletReported: 'success' });

    const invalid = { type: 'urn:s2s-issuer:problem:invalid-request', status: 400 };
    // The issuer's own types, an unknown type, a detail the profile does not define, a missing required detail.
    expect((await notify('CREDENTIAL_READY')).json).toMatchObject(invalid);
    expect((await notify('SOMETHING_ELSE')).json).toMatchObject(invalid);
    expect((await notify('KEY_ROTATED', { keyCount: 3, holderName: 'Erika' })).json).toMatchObject(invalid);
    expect((await notify('UPDATE_SUCCESS', {})).json).toMatchObject(invalid);
    expect((await notify('UPDATE_SUCCESS')).json).toMatchObject(invalid);
    expect((await notify('KEY_ROTATED', undefined, h.walletB)).json).toMatchObject({
      type: 'urn:s2s-issuer:problem:credential-instance-not-found',
      status: 404,
    });

    // Once CANCELLED the workflow has ended: the event is answered, not acknowledged.
    await h.admin('POST', `/admin/credential-instances/${h.walletA.tenant._id}/${ids.credentialInstanceId}/lifecycle`, 'backOffice', { action: 'CANCEL' });
    await pollUntil(
      async () => (await notify('UPDATE_REMINDER')).json,
      (answer) => answer.acknowledged === false,
    );
  });

  it('tells the Wallet Server CREDENTIAL_UPDATE_AVAILABLE when the holder’s data changes after issuance; its next get issues the new version', async () => {
    const holderAccountId = `test-holder-${randomUUID()}`;
    const holders = createIssuerHolderRepository(h.db, loadIssuerKeyMaterial(h.config).dataKeyring);
    const erikaPid = fakeHolders[0]?.datasets.find((dataset) => dataset.configurationId === pid)?.claims as Record<string, unknown>;
    await holders.putHolder({ holderAccountId, datasets: [{ configurationId: pid, claims: erikaPid }] });
    const wallet = await approvedWallet([pid], holderAccountId);
    const credentialInstanceId = await instanceOf(wallet, pid);
    const ids = { sessionId: wallet.ids.sessionId, credentialInstanceId };
    const first = await post('/credential/get', (await buildGet(wallet, credentialInstanceId)).body);
    expect(first.status).toBe(200);

    await holders.putHolder({ holderAccountId, datasets: [{ configurationId: pid, claims: { ...erikaPid, family_name: 'Musterfrau (TEST)' } }] });
    expect((await h.admin('POST', `/admin/holders/${encodeURIComponent(holderAccountId)}/data-changed`, 'backOffice')).status).toBe(202);
    const offered = await h.receiver.waitFor((n) => n.path.endsWith('/event/notify') && n.body.credentialInstanceId === credentialInstanceId);
    expect(offered.body).toMatchObject({ ...ids, eventType: 'CREDENTIAL_UPDATE_AVAILABLE', eventDetails: { credentialVersion: expect.any(String) } });
    const newVersion = (offered.body.eventDetails as { credentialVersion: string }).credentialVersion;
    expect(newVersion).not.toBe(first.json.credentialVersion);
    // The poke carries no data (S2S §Event Notification): the Wallet Server pulls with a get.
    expect(JSON.stringify(offered.body)).not.toContain('Musterfrau');

    const second = await post('/credential/get', (await buildGet(wallet, credentialInstanceId)).body);
    expect(second.json.credentialVersion).toBe(newVersion);
    expect((await post('/credential/status', ids)).json).toMatchObject({ currentStatus: 'ACTIVE', currentVersion: newVersion });
  });

  it('reconciles: applies a suspension the Wallet Server made without telling, and the pass tells it a suspension it refused', async () => {
    const tenantId = h.walletA.tenant._id;
    const stateOf = (credentialInstanceId: string) =>
      h.temporal.workflow.getHandle(credentialLifecycleWorkflowId({ tenantId, credentialInstanceId })).query(credentialLifecycleStateQuery);
    const forInstance = (credentialInstanceId: string, path: string) => (request: { path: string; body: Record<string, unknown> }) =>
      request.path.endsWith(path) && request.body.credentialInstanceId === credentialInstanceId;

    // 1. The Wallet Server suspended on its side and its notification never came: an operator reconciles now.
    const first = await issuedInstance();
    const firstEntries = await (async () => {
      const { answer, built } = await first.get();
      const credentials = await openCredentials(answer.json.credentials, built.walletEncryption.privateJwk);
      return credentials.map((credential) => (decodeSdJwtByHand(credential).signedPayload.status as { status_list: { idx: number; uri: string } }).status_list);
    })();
    h.receiver.answerNext(forInstance(first.ids.credentialInstanceId, '/credential/status'), {
      status: 200,
      body: { currentStatus: 'SUSPENDED_WALLET', currentVersion: 'whatever' },
    });
    const asked = await h.admin('POST', `/admin/credential-instances/${tenantId}/${first.ids.credentialInstanceId}/reconcile`, 'backOffice');
    expect(asked.status).toBe(202);
    const applied = await pollUntil(
      () => stateOf(first.ids.credentialInstanceId),
      (s) => s.reconciliation?.reconciliationId === asked.json.reconciliationId,
    );
    expect(applied.reconciliation).toMatchObject({ walletView: 'SUSPENDED_WALLET', outcome: 'applied', detail: 'SUSPEND' });
    expect((await post('/credential/status', first.ids)).json).toMatchObject({ currentStatus: 'SUSPENDED_WALLET', lastStatusChangeReason: 'reconciled' });
    expect(await Promise.all(firstEntries.map(publishedStatus))).toEqual([2, 2]);

    // 2. The Wallet Server refuses the issuer's suspension (400: not retried): the instance is OUT_OF_SYNC until a pass.
    const second = await issuedInstance();
    expect((await second.get()).answer.status).toBe(200);
    h.receiver.answerNext(forInstance(second.ids.credentialInstanceId, '/credential/manage'), { status: 400 });
    await h.admin('POST', `/admin/credential-instances/${tenantId}/${second.ids.credentialInstanceId}/lifecycle`, 'backOffice', { action: 'SUSPEND' });
    await pollUntil(
      () => stateOf(second.ids.credentialInstanceId),
      (s) => s.lastWalletPush?.outcome === 'abandoned',
    );
    const outOfSync = `WorkflowType = 'credentialLifecycleWorkflow' AND S2sCredentialWalletSync = 'OUT_OF_SYNC' AND WorkflowId = '${credentialLifecycleWorkflowId({ tenantId, credentialInstanceId: second.ids.credentialInstanceId })}'`;
    await pollUntil(
      async () => (await h.temporal.workflow.count(outOfSync)).count,
      (count) => count === 1,
    );
    h.receiver.answerNext(forInstance(second.ids.credentialInstanceId, '/credential/status'), {
      status: 200,
      body: { currentStatus: 'ACTIVE', currentVersion: 'x' },
    });
    const summary = await reconciliationPass();
    expect(summary.credentialInstancesReconciled).toBeGreaterThanOrEqual(1);
    const told = await pollUntil(
      () => stateOf(second.ids.credentialInstanceId),
      (s) => s.reconciliation?.outcome === 'told' && s.lastWalletPush?.outcome === 'delivered',
    );
    expect(told.reconciliation).toMatchObject({ walletView: 'ACTIVE', detail: 'SUSPEND' });
    const suspends = h.receiver.received.filter((r) => forInstance(second.ids.credentialInstanceId, '/credential/manage')(r));
    expect(suspends.map((r) => r.body.action)).toEqual(['SUSPEND']);
    await pollUntil(
      async () => (await h.temporal.workflow.count(outOfSync)).count,
      (count) => count === 0,
    );
  });

  it('changes every instance on one Wallet Server as a batch that can be followed, and nothing of another', async () => {
    const walletC = await h.registerWallet(`wallet-c-${randomUUID().slice(0, 8)}`);
    const provisionedOn = async (identity: typeof walletC) => {
      const wallet = await approvedWallet([pid], 'test-holder-erika', identity);
      const provisioned = await h.http.post('/credential/provision', wallet.ids, { identity });
      expect(provisioned.status).toBe(200);
      const credentialInstanceId = provisioned.json.CredentialInstances[0].credentialInstanceIds[0] as string;
      return { sessionId: wallet.ids.sessionId, credentialInstanceId };
    };
    const onC = [await provisionedOn(walletC), await provisionedOn(walletC), await provisionedOn(walletC)];
    const onA = await provisionedOn(h.walletA);

    const requestId = randomUUID();
    const started = await h.admin('POST', `/admin/wallet-servers/${walletC.tenant._id}/lifecycle`, 'backOffice', {
      action: 'CANCEL',
      reason: 'compromised',
      requestId,
    });
    expect(started).toMatchObject({ status: 202, json: { batchId: requestId } });
    const progress = await pollUntil(
      async () => (await h.admin('GET', `/admin/lifecycle-batches/${requestId}`, 'backOffice')).json,
      (answer) => answer.done === true,
    );
    expect(progress).toMatchObject({ instances: 3, outcomes: { COMPLETED: 3 }, done: true });
    for (const ids of onC) {
      const status = await h.http.post('/credential/status', ids, { identity: walletC });
      expect(status.json).toMatchObject({ currentStatus: 'CANCELLED', lastStatusChangeReason: 'compromised' });
    }
    expect((await post('/credential/status', onA)).json).toMatchObject({ currentStatus: 'IN_PROCESS' });
    // Each instance's Wallet Server is told UNLINK.
    await pollUntil(
      async () =>
        h.receiver.received.filter((r) => r.path.endsWith('/credential/manage') && onC.some((ids) => ids.credentialInstanceId === r.body.credentialInstanceId))
          .length,
      (count) => count === 3,
    );
    // The same request again attaches to the batch: nothing is changed twice.
    expect(
      await h.admin('POST', `/admin/wallet-servers/${walletC.tenant._id}/lifecycle`, 'backOffice', { action: 'CANCEL', reason: 'compromised', requestId }),
    ).toMatchObject({
      status: 202,
      json: { batchId: requestId },
    });
    expect((await h.admin('GET', `/admin/lifecycle-batches/${requestId}`, 'backOffice')).json).toMatchObject({ instances: 3, outcomes: { COMPLETED: 3 } });
    expect((await h.admin('POST', `/admin/wallet-servers/${randomUUID()}/lifecycle`, 'backOffice', { action: 'CANCEL' })).json).toMatchObject({
      type: 'urn:s2s-issuer:problem:wallet-server-not-found',
    });
    expect((await h.admin('GET', `/admin/lifecycle-batches/${randomUUID()}`, 'backOffice')).json).toMatchObject({
      type: 'urn:s2s-issuer:problem:lifecycle-batch-not-found',
    });
  });
  it('sweeps the live instances in turn: finds a Wallet Server that suspended without telling and one that lost an instance, though nothing was given up', async () => {
    const tenantId = h.walletA.tenant._id;
    const stateOf = (credentialInstanceId: string) =>
      h.temporal.workflow.getHandle(credentialLifecycleWorkflowId({ tenantId, credentialInstanceId })).query(credentialLifecycleStateQuery);
    const askAbout = (credentialInstanceId: string) => (request: { path: string; body: Record<string, unknown> }) =>
      request.path.endsWith('/credential/status') && request.body.credentialInstanceId === credentialInstanceId;
    // Every other live instance of this file: the Wallet Server agrees.
    h.receiver.answerAlways((request) => request.path.endsWith('/credential/status'), { status: 200, body: { currentStatus: 'ACTIVE', currentVersion: '' } });
    const quiet = await issuedInstance();
    const lost = await issuedInstance();
    for (const { get } of [quiet, lost]) expect((await get()).answer.status).toBe(200);
    const cursor = async () =>
      (await h.db.collection<{ _id: string; after?: string }>(collections.sweepCursors).findOne({ _id: 'credential-reconciliation' }))?.after;

    // One instance a pass: the cursor moves on by one live instance each time. Each pass only
    // signals; the instance asks its Wallet Server afterwards, so wait for that ask before the
    // next step scripts answers.
    const statusAsks = () => h.receiver.attempts.filter((request) => request.path.endsWith('/credential/status')).length;
    const passOfOne = async () => {
      const asked = statusAsks();
      await reconciliationPass(1);
      await pollUntil(
        async () => statusAsks(),
        (count) => count > asked,
        { what: 'the swept instance’s ask' },
      );
    };
    await passOfOne();
    const afterFirst = await cursor();
    expect(afterFirst).toEqual(expect.any(String));
    await passOfOne();
    expect((await cursor()) ?? '').not.toBe(afterFirst);
    if ((await cursor()) !== undefined) expect(((await cursor()) as string) > (afterFirst as string)).toBe(true);

    // Nothing given up, nothing OUT_OF_SYNC: a pass whose page covers every live instance finds both.
    h.receiver.answerNext(askAbout(quiet.ids.credentialInstanceId), { status: 200, body: { currentStatus: 'SUSPENDED_WALLET', currentVersion: '' } });
    h.receiver.answerNext(askAbout(lost.ids.credentialInstanceId), { status: 404 });
    const summary = await reconciliationPass(1000);
    expect(summary.credentialInstancesReconciled).toBe(0);
    expect(summary.credentialInstancesSwept).toBeGreaterThanOrEqual(2);
    // A page shorter than the limit was the last: the next pass starts over.
    expect(await cursor()).toBeUndefined();

    const applied = await pollUntil(
      () => stateOf(quiet.ids.credentialInstanceId),
      (s) => s.reconciliation?.outcome === 'applied',
    );
    expect(applied.reconciliation).toMatchObject({ walletView: 'SUSPENDED_WALLET', detail: 'SUSPEND' });
    expect((await post('/credential/status', quiet.ids)).json).toMatchObject({ currentStatus: 'SUSPENDED_WALLET', lastStatusChangeReason: 'reconciled' });
    const reported = await pollUntil(
      () => stateOf(lost.ids.credentialInstanceId),
      (s) => s.reconciliation?.outcome === 'reported',
    );
    expect(reported.reconciliation).toMatchObject({ walletView: 'NOT_FOUND', detail: 'wallet_lost_instance' });
    // Left for a person: the operator's query finds it.
    const needsReview = `WorkflowType = 'credentialLifecycleWorkflow' AND S2sCredentialWalletSync = 'NEEDS_REVIEW' AND WorkflowId = '${credentialLifecycleWorkflowId({ tenantId, credentialInstanceId: lost.ids.credentialInstanceId })}'`;
    await pollUntil(
      async () => (await h.temporal.workflow.count(needsReview)).count,
      (count) => count === 1,
    );
  });
});
