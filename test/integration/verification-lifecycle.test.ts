import { verificationWorkflowId } from '../../domain/workflow-ids';
import { randomUUID } from 'node:crypto';
import { devApproveType, devPendingType } from '../../domain/verification-types/development';
import { createClientEncryptedPayload, createInitiateRequest, generateWalletSigningKey, type WalletSigningKey } from '../../wallet/wallet-client-instance';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { clientPayload, holderPersonalData, mdl, negotiatedInitiate } from '../support/wallet-requests';

let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness();
});
afterAll(async () => {
  await h?.close();
});

const post = (path: string, body: unknown, identity = h.walletA) => h.http.post(path, body, { identity });
const issuerKey = (i = 0) => h.issuerEncryptionKeys[i] as NonNullable<IssuerHarness['issuerEncryptionKeys'][number]>;

async function initiateWithClientItem(key: WalletSigningKey, item: Record<string, unknown>, keyIndex = 0) {
  const sessionId = randomUUID();
  const body = await createInitiateRequest({
    key,
    sessionId,
    credentialConfigurationIds: [mdl],
    verificationData: { clientEncryptedPayload: [await clientPayload(key, issuerKey(keyIndex), item, { sessionId })] },
  });
  return { body, response: await post('/verification/initiate', body) };
}

describe('Client Encrypted Payloads at the API (S2S §Client Encrypted Payload)', () => {
  it.each([0, 1])('approves on a verified client item encrypted to issuer key %i', async (keyIndex) => {
    const key = await generateWalletSigningKey();
    const { response } = await initiateWithClientItem(key, { id: 'c1', type: devApproveType, ...holderPersonalData }, keyIndex);
    expect(response.status).toBe(200);
    expect(response.json.status).toBe('APPROVED');
  });

  it('refuses a payload that does not decrypt with invalid_encryption, storing nothing', async () => {
    const key = await generateWalletSigningKey();
    const body = await createInitiateRequest({
      key,
      credentialConfigurationIds: [mdl],
      verificationData: { clientEncryptedPayload: [{ jwe: 'e30.AAAA.AAAA.AAAA.AAAA', origin: 'WALLET_CLIENT' }] },
    });
    const response = await post('/verification/initiate', body);
    expect(response.status).toBe(400);
    expect(response.json.type).toBe('urn:openid:dcp:s2s:invalid_encryption');
    expect(await h.db.collection('verification_sessions').countDocuments({ sessionId: body.sessionId })).toBe(0);
  });

  it('refuses a payload signed by another key than the session’s WSK with invalid_client_authentication', async () => {
    const key = await generateWalletSigningKey();
    const impostor = await generateWalletSigningKey();
    const sessionId = randomUUID();
    const body = await createInitiateRequest({
      key,
      sessionId,
      credentialConfigurationIds: [mdl],
      verificationData: { clientEncryptedPayload: [await clientPayload(impostor, issuerKey(), { id: 'c1', type: devApproveType }, { sessionId })] },
    });
    const response = await post('/verification/initiate', body);
    expect(response.status).toBe(400);
    expect(response.json.type).toBe('urn:openid:dcp:s2s:invalid_client_authentication');
  });

  it('stores client data encrypted at rest: the holder’s data is not in the database in clear', async () => {
    const key = await generateWalletSigningKey();
    const { body } = await initiateWithClientItem(key, { id: 'c1', type: devApproveType, ...holderPersonalData });
    const stored = JSON.stringify(await h.db.collection('verification_data').find({ sessionId: body.sessionId }).toArray());
    expect(stored).toContain('envelope');
    expect(stored).not.toContain(holderPersonalData.familyName);
  });
});

describe('/verification/supplement (S2S §Supplement)', () => {
  it('takes a negotiated verification from ADDITIONAL_INFO_REQUIRED to APPROVED with a client payload', async () => {
    const key = await generateWalletSigningKey();
    const body = await createInitiateRequest({
      key,
      credentialConfigurationIds: [mdl],
      verificationData: { serverVerificationDataItem: [{ id: 'first', type: 'urn:s2s-issuer:verification-type:dev-additional-info' }] },
    });
    const started = await post('/verification/initiate', body);
    expect(started.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
    const [requested] = started.json.verificationDataRequest.verificationDataItems;

    const supplement = await post('/verification/supplement', {
      sessionId: body.sessionId,
      verificationId: started.json.verificationId,
      verificationDataPayload: {
        clientEncryptedPayload: [
          await clientPayload(
            key,
            issuerKey(),
            { id: requested.id, type: requested.type },
            { sessionId: body.sessionId, verificationId: started.json.verificationId },
          ),
        ],
      },
    });
    expect(supplement.status).toBe(200);
    expect(supplement.json).toMatchObject({ sessionId: body.sessionId, verificationId: started.json.verificationId, status: 'APPROVED' });
    expect((await post('/verification/status', { sessionId: body.sessionId, verificationId: started.json.verificationId })).json.status).toBe('APPROVED');
  });

  it('refuses a supplement for a final verification with 409 verification-final', async () => {
    const key = await generateWalletSigningKey();
    const { body, response } = await initiateWithClientItem(key, { id: 'c1', type: devApproveType });
    const supplement = await post('/verification/supplement', {
      sessionId: body.sessionId,
      verificationId: response.json.verificationId,
      verificationDataPayload: { serverVerificationDataItem: [{ id: 'x', type: devApproveType }] },
    });
    expect(supplement.status).toBe(409);
    expect(supplement.json.type).toBe('urn:s2s-issuer:problem:verification-final');
  });

  it('refuses a supplement while the issuer decides (PENDING) with 409 verification-not-awaiting-data', async () => {
    const body = await createInitiateRequest({
      key: await generateWalletSigningKey(),
      credentialConfigurationIds: [mdl],
      verificationData: { serverVerificationDataItem: [{ id: 'r', type: devPendingType }] },
    });
    const started = await post('/verification/initiate', body);
    expect(started.json.status).toBe('PENDING');
    const supplement = await post('/verification/supplement', {
      sessionId: body.sessionId,
      verificationId: started.json.verificationId,
      verificationDataPayload: { serverVerificationDataItem: [{ id: 'x', type: devApproveType }] },
    });
    expect(supplement.status).toBe(409);
    expect(supplement.json.type).toBe('urn:s2s-issuer:problem:verification-not-awaiting-data');
  });

  it("answers another tenant's or an unknown verification as not found", async () => {
    const started = await post('/verification/initiate', await negotiatedInitiate());
    const payload = { verificationDataPayload: { serverVerificationDataItem: [{ id: 'x', type: devApproveType }] } };
    const crossTenant = await post(
      '/verification/supplement',
      { sessionId: started.json.sessionId, verificationId: started.json.verificationId, ...payload },
      h.walletB,
    );
    expect(crossTenant.status).toBe(404);
    const unknown = await post('/verification/supplement', { sessionId: started.json.sessionId, verificationId: randomUUID(), ...payload });
    expect(unknown.status).toBe(404);
  });
});

describe('/verification/cancel (S2S §Verification Cancellation)', () => {
  it('ends the verification as DENIED/CANCELLED, answers a repeat the same, and refuses supplements after', async () => {
    const started = await post('/verification/initiate', await negotiatedInitiate());
    const ids = { sessionId: started.json.sessionId, verificationId: started.json.verificationId };
    const cancelled = await post('/verification/cancel', { ...ids, reason: 'USER_ABANDONED' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toEqual(ids);
    expect((await post('/verification/status', ids)).json).toMatchObject({ status: 'DENIED', reasonCode: 'CANCELLED' });
    expect((await post('/verification/cancel', { ...ids, reason: 'AGAIN' })).status).toBe(200);
    const supplement = await post('/verification/supplement', {
      ...ids,
      verificationDataPayload: { serverVerificationDataItem: [{ id: 'x', type: devApproveType }] },
    });
    expect(supplement.json.type).toBe('urn:s2s-issuer:problem:verification-final');
  });

  it('refuses to cancel an approved verification', async () => {
    const { response } = await initiateWithClientItem(await generateWalletSigningKey(), { id: 'c1', type: devApproveType });
    const cancel = await post('/verification/cancel', { sessionId: response.json.sessionId, verificationId: response.json.verificationId, reason: 'LATE' });
    expect(cancel.status).toBe(409);
    expect(cancel.json.type).toBe('urn:s2s-issuer:problem:verification-final');
  });
});

describe('Wallet Server notifications (S2S §Verification Notification)', () => {
  // Each test scripts the answers for its own session only: tests never take each other's answers.
  const forSession = (sessionId: string) => (request: { body: Record<string, unknown> }) => request.body.sessionId === sessionId;
  const attemptsFor = (sessionId: string) => h.receiver.attempts.filter((a) => a.body.sessionId === sessionId);
  const approvable = async () => {
    const key = await generateWalletSigningKey();
    const sessionId = randomUUID();
    return createInitiateRequest({
      key,
      sessionId,
      credentialConfigurationIds: [mdl],
      verificationData: { clientEncryptedPayload: [await clientPayload(key, issuerKey(), { id: 'c1', type: devApproveType }, { sessionId })] },
    });
  };
  async function eventually<T>(read: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (accept(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const notifiedStatusVersion = async (sessionId: string, verificationId: string) => {
    const session = await h.db.collection('verification_sessions').findOne({ _id: `${h.walletA.tenant._id}/${sessionId}` } as object);
    return (session?.verifications as Record<string, { notifiedStatusVersion?: number }> | undefined)?.[verificationId]?.notifiedStatusVersion;
  };

  it('notifies the tenant’s Wallet Server over mTLS with the issuer’s client certificate, recording nothing while nothing was given up', async () => {
    const { body, response } = await initiateWithClientItem(await generateWalletSigningKey(), { id: 'c1', type: devApproveType });
    const notification = await h.receiver.waitFor((n) => n.body.verificationId === response.json.verificationId && n.body.status === 'APPROVED');
    expect(notification.path).toBe('/wallet-a/verification/notify');
    expect(notification.clientCertificateSubject).toBe('Development Issuer Server');
    expect(notification.headers['api-version']).toBe('1.0.0');
    expect(notification.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(notification.body).toEqual(response.json);
    // Only verifications with a notification given up are listed for reconciliation, so a
    // delivery on the first try costs no write (profile §14). The workflow ends after it.
    await h.temporal.workflow
      .getHandle(verificationWorkflowId({ tenantId: h.walletA.tenant._id, sessionId: body.sessionId, verificationId: response.json.verificationId }))
      .result();
    expect(await notifiedStatusVersion(body.sessionId, response.json.verificationId)).toBeUndefined();
    const listed = await h.deps.sessions.listUnacknowledgedNotifications({ since: new Date(0), limit: 1000 });
    expect(listed.some((n) => n.verificationId === response.json.verificationId)).toBe(false);
  });

  it('makes the next attempt after a 429 no earlier than its Retry-After, with the same x-request-id', async () => {
    const body = await approvable();
    h.receiver.answerNext(forSession(body.sessionId), { status: 429, headers: { 'Retry-After': '3' } });
    const response = await post('/verification/initiate', body);
    expect(response.json.status).toBe('APPROVED');
    await h.receiver.waitFor((n) => n.body.sessionId === body.sessionId);
    const [limited, delivered, ...more] = attemptsFor(body.sessionId);
    expect([limited?.answeredStatus, delivered?.answeredStatus, more.length]).toEqual([429, 200, 0]);
    const gap = (delivered as { receivedAt: Date }).receivedAt.getTime() - (limited as { receivedAt: Date }).receivedAt.getTime();
    expect(gap).toBeGreaterThanOrEqual(3000);
    // Temporal's retry timer, not a backoff of its own: the attempt comes soon after Retry-After.
    expect(gap).toBeLessThan(8000);
    expect(delivered?.headers['x-request-id']).toBe(limited?.headers['x-request-id']);
  });

  it('gives up after 1 + 3 retries, never delaying the verification, and records the notification as unacknowledged', async () => {
    const body = await approvable();
    h.receiver.answerAlways(forSession(body.sessionId), { status: 503, headers: { 'Retry-After': '1' } });
    const since = new Date();
    const started = Date.now();
    const response = await post('/verification/initiate', body);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(response.json.status).toBe('APPROVED');
    const ids = { sessionId: body.sessionId, verificationId: response.json.verificationId as string };
    expect((await post('/verification/status', ids)).json.status).toBe('APPROVED');

    expect(
      await eventually(
        () => attemptsFor(body.sessionId).length,
        (n) => n >= 4,
      ),
    ).toBe(4);
    // Nothing after the fourth attempt.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const attempts = attemptsFor(body.sessionId);
    expect(attempts.map((a) => a.answeredStatus)).toEqual([503, 503, 503, 503]);
    expect(new Set(attempts.map((a) => a.headers['x-request-id'])).size).toBe(1);

    const unacknowledged = await eventually(
      () => h.deps.sessions.listUnacknowledgedNotifications({ since, limit: 100 }),
      (list) => list.some((n) => n.verificationId === ids.verificationId),
    );
    expect(unacknowledged.find((n) => n.verificationId === ids.verificationId)).toMatchObject({
      ...ids,
      tenantId: h.walletA.tenant._id,
      statusVersion: 1,
      notifiedStatusVersion: 0,
    });
    expect(await notifiedStatusVersion(body.sessionId, ids.verificationId)).toBeUndefined();
  });
});

describe('issuer metadata (profile §Issuer metadata)', () => {
  it('publishes versions, endpoints, algorithms, both encryption keys (public only) and configurations, cacheably', async () => {
    const response = await h.http.get('/.well-known/openid-credential-issuer-s2s', h.walletA);
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    expect(response.json.api_versions_supported).toEqual(['1.0.0']);
    expect(response.json.endpoints_supported).toEqual(
      expect.arrayContaining(['/verification/initiate', '/verification/supplement', '/verification/status', '/verification/cancel']),
    );
    expect(response.json.issuer_encryption_jwks.keys).toHaveLength(2);
    for (const jwk of response.json.issuer_encryption_jwks.keys) expect(jwk.d).toBeUndefined();
    expect(response.json.encryption_alg_values_supported).toEqual(expect.arrayContaining(['HPKE-0-KE', 'HPKE-0', 'HPKE-3-KE', 'HPKE-3']));
    expect(Object.keys(response.json.credential_configurations_supported)).toContain(mdl);
    expect(response.json.verification_types_supported.map((t: { type: string }) => t.type)).toContain(devApproveType);
  });
});

describe('re-verification (profile §Re-verification)', () => {
  async function endedSession() {
    const key = await generateWalletSigningKey();
    const body = await createInitiateRequest({
      key,
      credentialConfigurationIds: [mdl],
      verificationData: { serverVerificationDataItem: [{ id: 'first', type: 'urn:s2s-issuer:verification-type:dev-additional-info' }] },
    });
    const started = await post('/verification/initiate', body);
    await post('/verification/cancel', { sessionId: body.sessionId, verificationId: started.json.verificationId, reason: 'RETRY_LATER' });
    return { key, sessionId: body.sessionId, previous: started.json.verificationId as string };
  }

  it('gives an ended session a new verificationId, keeping the old one readable', async () => {
    const { key, sessionId, previous } = await endedSession();
    const body = await createInitiateRequest({
      key,
      sessionId,
      reverificationOf: previous,
      credentialConfigurationIds: [mdl],
      verificationData: {
        clientEncryptedPayload: [await clientPayload(key, issuerKey(), { id: 'c', type: devApproveType }, { sessionId, previousVerificationId: previous })],
      },
    });
    const again = await post('/verification/initiate', body);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ sessionId, status: 'APPROVED' });
    expect(again.json.verificationId).not.toBe(previous);
    expect((await post('/verification/status', { sessionId, verificationId: previous })).json).toMatchObject({ status: 'DENIED', reasonCode: 'CANCELLED' });
    expect((await post('/verification/status', { sessionId, verificationId: again.json.verificationId })).json.status).toBe('APPROVED');

    const replay = await post('/verification/initiate', body);
    expect(replay.status).toBe(409);
    expect(replay.json.type).toBe('urn:s2s-issuer:problem:reverification-not-allowed');
  });

  it('requires the session’s own Wallet Signing Key and a nonce over sessionId.previousVerificationId', async () => {
    const { key, sessionId, previous } = await endedSession();
    const otherKey = await createInitiateRequest({
      key: await generateWalletSigningKey(),
      sessionId,
      reverificationOf: previous,
      credentialConfigurationIds: [mdl],
    });
    expect((await post('/verification/initiate', otherKey)).json.type).toBe('urn:openid:dcp:s2s:invalid_client_authentication');

    const plainNonce = await createInitiateRequest({ key, sessionId, credentialConfigurationIds: [mdl] });
    const withExtension = { ...plainNonce, extensions: { 'urn:s2s-issuer:reverification': { previousVerificationId: previous } } };
    expect((await post('/verification/initiate', withExtension)).json.type).toBe('urn:openid:dcp:s2s:invalid_client_authentication');
  });

  it('refuses to re-verify an approved verification', async () => {
    const key = await generateWalletSigningKey();
    const { body, response } = await initiateWithClientItem(key, { id: 'c1', type: devApproveType });
    const again = await post(
      '/verification/initiate',
      await createInitiateRequest({ key, sessionId: body.sessionId, reverificationOf: response.json.verificationId, credentialConfigurationIds: [mdl] }),
    );
    expect(again.status).toBe(409);
    expect(again.json.type).toBe('urn:s2s-issuer:problem:reverification-not-allowed');
  });
});

describe('Client Encrypted Payloads are bound to their request (profile §11)', () => {
  const additionalInfoItem = { id: 'first', type: 'urn:s2s-issuer:verification-type:dev-additional-info' };

  /** A verification waiting for data (ADDITIONAL_INFO_REQUIRED), as a fresh session or a re-verification. */
  async function awaitingData(key: WalletSigningKey, session?: { sessionId: string; previous: string }) {
    const body = await createInitiateRequest({
      key,
      credentialConfigurationIds: [mdl],
      verificationData: { serverVerificationDataItem: [additionalInfoItem] },
      ...(session ? { sessionId: session.sessionId, reverificationOf: session.previous } : {}),
    });
    const started = await post('/verification/initiate', body);
    expect(started.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
    return { sessionId: body.sessionId, verificationId: started.json.verificationId as string };
  }

  const supplementWith = (ids: { sessionId: string; verificationId: string }, payload: unknown) =>
    post('/verification/supplement', { ...ids, verificationDataPayload: { clientEncryptedPayload: [payload] } });

  const expectRefusedAsUnbound = (response: { status: number; json: Record<string, unknown> }, claim: string) => {
    expect(response.status).toBe(400);
    expect(response.json.type).toBe('urn:openid:dcp:s2s:invalid_client_authentication');
    expect(response.json.detail).toEqual(expect.stringContaining(`/verificationDataPayload/clientEncryptedPayload/0: ${claim}`));
  };

  it('refuses a payload of verification A replayed into verification B of the same session, which stays awaiting data', async () => {
    const key = await generateWalletSigningKey();
    const a = await awaitingData(key);
    const signedForA = await clientPayload(key, issuerKey(), { id: 'first-followup', type: devApproveType }, a);
    await post('/verification/cancel', { ...a, reason: 'USER_RETRY' });
    const b = await awaitingData(key, { sessionId: a.sessionId, previous: a.verificationId });
    const storedFor = (ids: { verificationId: string }) => h.db.collection('verification_data').countDocuments({ verificationId: ids.verificationId });
    const storedBefore = await storedFor(b);

    const replayed = await supplementWith(b, signedForA);
    expectRefusedAsUnbound(replayed, 'verificationId');
    expect((await post('/verification/status', b)).json.status).toBe('ADDITIONAL_INFO_REQUIRED');
    expect(await storedFor(b)).toBe(storedBefore);

    // The same item, signed for B, is accepted.
    const signedForB = await clientPayload(key, issuerKey(), { id: 'first-followup', type: devApproveType }, b);
    expect((await supplementWith(b, signedForB)).json.status).toBe('APPROVED');
  });

  it('refuses a first initiate’s payload replayed into a re-verification of the same session', async () => {
    const key = await generateWalletSigningKey();
    const sessionId = randomUUID();
    const firstPayload = await clientPayload(key, issuerKey(), { id: 'c', type: devPendingType }, { sessionId });
    const first = await post(
      '/verification/initiate',
      await createInitiateRequest({ key, sessionId, credentialConfigurationIds: [mdl], verificationData: { clientEncryptedPayload: [firstPayload] } }),
    );
    expect(first.json.status).toBe('PENDING');
    await post('/verification/cancel', { sessionId, verificationId: first.json.verificationId, reason: 'USER_RETRY' });

    const again = await post(
      '/verification/initiate',
      await createInitiateRequest({
        key,
        sessionId,
        reverificationOf: first.json.verificationId,
        credentialConfigurationIds: [mdl],
        verificationData: { clientEncryptedPayload: [firstPayload] },
      }),
    );
    expect(again.status).toBe(400);
    expect(again.json.type).toBe('urn:openid:dcp:s2s:invalid_client_authentication');
    expect(again.json.detail).toEqual(expect.stringContaining('/verificationData/clientEncryptedPayload/0: previousVerificationId'));
  });

  it('refuses an initiate payload made for another sessionId, storing no session', async () => {
    const key = await generateWalletSigningKey();
    const body = await createInitiateRequest({
      key,
      credentialConfigurationIds: [mdl],
      verificationData: { clientEncryptedPayload: [await clientPayload(key, issuerKey(), { id: 'c', type: devApproveType }, { sessionId: randomUUID() })] },
    });
    const response = await post('/verification/initiate', body);
    expect(response.status).toBe(400);
    expect(response.json.type).toBe('urn:openid:dcp:s2s:invalid_client_authentication');
    expect(await h.db.collection('verification_sessions').countDocuments({ sessionId: body.sessionId })).toBe(0);
  });

  it.each([
    ['ten minutes old', -600],
    ['ten minutes in the future', 600],
  ])('refuses a payload whose iat is %s', async (_label, offsetSeconds) => {
    const key = await generateWalletSigningKey();
    const ids = await awaitingData(key);
    const payload = await createClientEncryptedPayload({
      key,
      issuerKey: issuerKey(),
      claims: { id: 'first-followup', type: devApproveType },
      binding: ids,
      iat: Math.floor(Date.now() / 1000) + offsetSeconds,
    });
    expectRefusedAsUnbound(await supplementWith(ids, payload), 'iat');
    expect((await post('/verification/status', ids)).json.status).toBe('ADDITIONAL_INFO_REQUIRED');
  });

  it.each(['iat', 'sessionId', 'verificationId'])('refuses a supplement payload without %s', async (claim) => {
    const key = await generateWalletSigningKey();
    const ids = await awaitingData(key);
    const payload = await createClientEncryptedPayload({
      key,
      issuerKey: issuerKey(),
      claims: { id: 'first-followup', type: devApproveType },
      binding: ids,
      omitClaims: [claim],
    });
    expectRefusedAsUnbound(await supplementWith(ids, payload), claim);
  });

  it('publishes the iat window in the metadata limits', async () => {
    const metadata = await h.http.get('/.well-known/openid-credential-issuer-s2s', h.walletA);
    expect(metadata.json.limits.client_payload_iat_window_seconds).toBe(300);
  });
});
