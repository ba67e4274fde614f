import { randomUUID } from 'node:crypto';
import { devApproveType } from '../../domain/verification-types/development';
import { verificationWorkflowId } from '../../workflows/verification/messages';
import { tenantIdAttribute, verificationStatusAttribute } from '../../workflows/verification/search-attributes';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { pollUntil } from '../support/polling';
import { approvableInitiate, holderPersonalData, mdl, negotiatedInitiate } from '../support/wallet-requests';
import { createInitiateRequest, generateWalletSigningKey } from '../../wallet/wallet-client-instance';

let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness();
});
afterAll(async () => {
  await h?.close();
});

const initiate = (body: unknown, identity = h.walletA, headers?: Record<string, string>) =>
  h.http.post('/verification/initiate', body, { identity, ...(headers ? { headers } : {}) });
const status = (body: unknown, identity = h.walletA) => h.http.post('/verification/status', body, { identity });

describe('POST /verification/initiate → VerificationWorkflow → POST /verification/status', () => {
  it('approves a session with approvable verification data and reports the same status when polled', async () => {
    const body = await approvableInitiate();
    const started = await initiate(body);
    expect(started.status).toBe(200);
    expect(started.headers['content-type']).toMatch(/^application\/json/);
    expect(started.headers['api-version']).toBe('1.0.0');
    expect(started.json).toEqual({
      sessionId: body.sessionId,
      verificationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'APPROVED',
      credentialConfigurationIds: [mdl],
      authorizedDeviceCount: 1,
    });

    const polled = await status({ sessionId: body.sessionId, verificationId: started.json.verificationId });
    expect(polled.status).toBe(200);
    expect(polled.json).toEqual(started.json);
  });

  it('asks for more information when the data calls for it (ADDITIONAL_INFO_REQUIRED with a verificationDataRequest)', async () => {
    const body = await negotiatedInitiate();
    const started = await initiate(body);
    expect(started.status).toBe(200);
    expect(started.json).toEqual({
      sessionId: body.sessionId,
      verificationId: expect.any(String),
      status: 'ADDITIONAL_INFO_REQUIRED',
      verificationDataRequest: {
        verificationDataItems: [{ type: devApproveType, id: 'first-followup', required: true }],
        deadline: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        maxAttempts: 3,
      },
    });
    expect((await status({ sessionId: body.sessionId, verificationId: started.json.verificationId })).json.status).toBe('ADDITIONAL_INFO_REQUIRED');
  });

  it('asks for the accepted verification types the wallet supports when no verification data is sent', async () => {
    const supportedVerificationTypes = [devApproveType, 'urn:s2s-issuer:verification-type:identity-evidence', 'urn:example:unknown'];
    const body = await createInitiateRequest({ key: await generateWalletSigningKey('EdDSA'), credentialConfigurationIds: [mdl], supportedVerificationTypes });
    const started = await initiate(body);
    expect(started.status).toBe(200);
    expect(started.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
    expect(started.json.verificationDataRequest.verificationDataItems.map((i: { type: string }) => i.type)).toEqual(supportedVerificationTypes.slice(0, 2));
  });

  it('gives each verification a distinct issuer-generated verificationId', async () => {
    const [a, b] = await Promise.all([initiate(await approvableInitiate()), initiate(await approvableInitiate())]);
    expect(a.json.verificationId).not.toEqual(b.json.verificationId);
  });

  it('rejects a replayed sessionId with 409, even with a fresh x-request-id, and keeps the first session', async () => {
    const body = await approvableInitiate();
    const first = await initiate(body);
    expect(first.status).toBe(200);
    const replay = await initiate(body);
    expect(replay.status).toBe(409);
    expect(replay.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(replay.json).toMatchObject({ type: 'urn:s2s-issuer:problem:session-already-used', status: 409 });
    expect(await h.db.collection('verification_sessions').countDocuments({ sessionId: body.sessionId })).toBe(1);
  });

  it('refuses a nonce signed over another sessionId as invalid client authentication', async () => {
    const body = await approvableInitiate();
    const other = await approvableInitiate();
    const response = await initiate({ ...body, verificationNonce: other.verificationNonce });
    expect(response.status).toBe(400);
    expect(response.json.type).toBe('urn:openid:dcp:s2s:invalid_client_authentication');
    expect(await h.db.collection('verification_sessions').countDocuments({ sessionId: body.sessionId })).toBe(0);
  });

  // Profile §5: padding, non-base64url characters or a wrong length are a failed client
  // authentication (S2S §Replay Protection), not a schema violation.
  it.each([
    ['padding', (n: string) => `${n}==`],
    ['"+" and "/"', (n: string) => `${n.slice(0, -2)}+/`],
    ['dots', (n: string) => `${n}.${n}`],
  ])('refuses a nonce with %s as invalid client authentication', async (_label, mangle) => {
    const body = await approvableInitiate();
    const response = await initiate({ ...body, verificationNonce: mangle(body.verificationNonce) });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ type: 'urn:openid:dcp:s2s:invalid_client_authentication', detail: expect.stringContaining('base64url') });
    expect(response.json.validationErrors).toBeUndefined();
    expect(await h.db.collection('verification_sessions').countDocuments({ sessionId: body.sessionId })).toBe(0);
  });

  it('stores only the public members of the Wallet Signing Key, whatever else the JWK carries (profile §5)', async () => {
    const body = await approvableInitiate();
    const publicJwk = body.walletSigningKeyData.client_public_key;
    const sent = { ...publicJwk, use: 'sig', x5c: ['MIIBfake'], 'urn:example:tracking': 'x'.repeat(500) };
    const response = await initiate({ ...body, walletSigningKeyData: { ...body.walletSigningKeyData, client_public_key: sent } });
    expect(response.status).toBe(200);
    const stored = await h.db.collection('verification_sessions').findOne({ sessionId: body.sessionId });
    expect(JSON.stringify(stored)).not.toContain('urn:example:tracking');
    expect(stored?.walletSigningKey).toEqual(publicJwk);
  });

  it.each(['d', 'p', 'k'])('refuses a Wallet Signing Key carrying the private member %s, storing nothing (profile §5)', async (member) => {
    const body = await approvableInitiate();
    const withPrivate = { ...body.walletSigningKeyData.client_public_key, [member]: 'AAAA' };
    const response = await initiate({ ...body, walletSigningKeyData: { ...body.walletSigningKeyData, client_public_key: withPrivate } });
    expect(response.status).toBe(400);
    expect(response.json.type).toBe('urn:s2s-issuer:problem:invalid-request');
    expect(response.json.validationErrors).toEqual([
      { pointer: `/walletSigningKeyData/client_public_key/${member}`, message: expect.stringContaining('private member') },
    ]);
    expect(await h.db.collection('verification_sessions').countDocuments({ sessionId: body.sessionId })).toBe(0);
  });

  it('refuses an unknown credential configuration before anything is stored', async () => {
    const body = { ...(await approvableInitiate()), credentialConfigurationIds: ['com.example.unknown'] };
    const response = await initiate(body);
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ type: 'urn:s2s-issuer:problem:unknown-credential-configuration' });
    expect(await h.db.collection('verification_sessions').countDocuments({ sessionId: body.sessionId })).toBe(0);
  });

  it("answers another tenant's session exactly like a missing one", async () => {
    const body = await approvableInitiate();
    const started = await initiate(body);
    const crossTenant = await status({ sessionId: body.sessionId, verificationId: started.json.verificationId }, h.walletB);
    const missing = await status({ sessionId: randomUUID(), verificationId: randomUUID() }, h.walletB);
    expect(crossTenant.status).toBe(404);
    const strip = (json: Record<string, unknown>) => ({ ...json, instance: undefined });
    expect(strip(crossTenant.json)).toEqual(strip(missing.json));
    expect(crossTenant.json.type).toBe('urn:s2s-issuer:problem:session-not-found');
  });

  it("answers a cancel of another tenant's verification exactly like a missing one, and leaves it open", async () => {
    const body = await negotiatedInitiate();
    const started = await initiate(body);
    expect(started.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
    const cancel = (ids: { sessionId: string; verificationId: string }) =>
      h.http.post('/verification/cancel', { ...ids, reason: 'USER_ABANDONED' }, { identity: h.walletB });
    const crossTenant = await cancel({ sessionId: body.sessionId, verificationId: started.json.verificationId });
    const missing = await cancel({ sessionId: randomUUID(), verificationId: randomUUID() });
    expect(crossTenant.status).toBe(404);
    expect(crossTenant.status).toBe(missing.status);
    const strip = (json: Record<string, unknown>) => ({ ...json, instance: undefined });
    expect(strip(crossTenant.json)).toEqual(strip(missing.json));
    expect(crossTenant.json).toMatchObject({ type: 'urn:s2s-issuer:problem:session-not-found', title: expect.any(String), detail: expect.any(String) });
    // The owner's verification was not touched.
    expect((await status({ sessionId: body.sessionId, verificationId: started.json.verificationId })).json).toEqual(started.json);
  });

  it('lets tenants reuse each other’s sessionIds without collision or disclosure', async () => {
    const key = await generateWalletSigningKey();
    const body = await approvableInitiate(key);
    expect((await initiate(body, h.walletA)).status).toBe(200);
    expect((await initiate(body, h.walletB)).status).toBe(200);
  });

  it('tags the workflow with tenant and status search attributes an operator can filter on', async () => {
    const body = await approvableInitiate();
    const started = await initiate(body);
    const handle = h.temporal.workflow.getHandle(
      verificationWorkflowId({ tenantId: h.walletA.tenant._id, sessionId: body.sessionId, verificationId: started.json.verificationId }),
    );
    await handle.result();
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(tenantIdAttribute)).toBe(h.walletA.tenant._id);
    expect(description.typedSearchAttributes.get(verificationStatusAttribute)).toBe('APPROVED');

    const query = `S2sTenantId = "${h.walletA.tenant._id}" AND S2sVerificationStatus = "APPROVED" AND WorkflowId = "${handle.workflowId}"`;
    // Visibility is updated asynchronously: poll until the workflow is listed.
    const listed = async () => {
      const ids: string[] = [];
      for await (const execution of h.temporal.workflow.list({ query })) ids.push(execution.workflowId);
      return ids;
    };
    expect(await pollUntil(listed, (ids) => ids.length > 0, { intervalMs: 200, what: 'search attribute visibility' })).toEqual([handle.workflowId]);
    expect(started.json.status).toBe('APPROVED');
  });

  it('keeps verification data and keys out of the workflow history', async () => {
    const body = await approvableInitiate();
    const started = await initiate(body);
    const handle = h.temporal.workflow.getHandle(
      verificationWorkflowId({ tenantId: h.walletA.tenant._id, sessionId: body.sessionId, verificationId: started.json.verificationId }),
    );
    await handle.result();
    const events = (await handle.fetchHistory()).events ?? [];
    const history = JSON.stringify(events);
    // Every payload is encrypted by the PayloadCodec: not even identifiers are readable.
    const input = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    expect(Buffer.from(input?.data ?? []).toString('latin1')).not.toContain(body.sessionId);
    expect(history).not.toContain(holderPersonalData.familyName);
    expect(history).not.toContain(Buffer.from(holderPersonalData.familyName).toString('base64'));
    const publicKeyX = body.walletSigningKeyData.client_public_key.x ?? 'missing';
    expect(history).not.toContain(publicKeyX);
    expect(history).not.toContain(body.verificationNonce);
    // The data itself is where it belongs: stored with the session.
    expect(await h.db.collection('verification_data').countDocuments({ sessionId: body.sessionId })).toBe(1);
  });

  it('serves the OpenAPI document built from the validation schemas', async () => {
    const response = await h.http.get('/openapi.json', h.walletA);
    expect(response.status).toBe(200);
    // The endpoints, then the download of credentials delivered by reference (profile §25).
    expect(Object.keys(response.json.paths)).toEqual([
      '/verification/initiate',
      '/verification/supplement',
      '/verification/status',
      '/verification/cancel',
      '/credential/provision',
      '/credential/nonce',
      '/credential/get',
      '/credential/metadata',
      '/credential/status',
      '/credential/manage',
      '/event/notify',
      '/content/{id}',
    ]);
    expect(response.json.components.schemas.InitiateVerificationRequest.required).toEqual(
      expect.arrayContaining(['sessionId', 'credentialConfigurationIds', 'walletSigningKeyData', 'verificationNonce']),
    );
  });
});
