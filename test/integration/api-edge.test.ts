import { randomUUID } from 'node:crypto';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { approvableInitiate, negotiatedInitiate } from '../support/wallet-requests';

let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness();
});
afterAll(async () => {
  await h?.close();
});

const sessions = () => h.db.collection('verification_sessions');

function expectProblem(response: { status: number; headers: Record<string, unknown>; json: Record<string, unknown> }, status: number, type: string) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expectVersionHeaders(response);
  expect(response.json).toMatchObject({ type, status, title: expect.any(String) });
}

/** S2S §API Versioning, profile §API versions: on every response, errors included. */
function expectVersionHeaders(response: { headers: Record<string, unknown> }) {
  expect(response.headers['api-version']).toBe('1.0.0');
  expect(response.headers['api-supported-versions']).toBe('1.0.0');
}

describe('mutual TLS (S2S §Server Authentication)', () => {
  it('refuses the handshake when the client presents no certificate', async () => {
    await expect(h.http.post('/verification/status', { sessionId: randomUUID(), verificationId: randomUUID() })).rejects.toThrow(
      /certificate|socket hang up|ECONNRESET|alert/i,
    );
  });

  it('refuses the handshake for a certificate from an untrusted CA', async () => {
    await expect(h.http.post('/verification/status', { sessionId: randomUUID(), verificationId: randomUUID() }, { identity: h.foreign })).rejects.toThrow(
      /certificate|socket hang up|ECONNRESET|alert/i,
    );
  });

  it('answers 401 Problem Details for a trusted but unregistered certificate', async () => {
    const response = await h.http.post('/verification/status', { sessionId: randomUUID(), verificationId: randomUUID() }, { identity: h.unregistered });
    expectProblem(response, 401, 'urn:s2s-issuer:problem:unknown-client');
  });
});

describe('Api-Version (S2S §API Versioning)', () => {
  it('requires the header: 400 with Api-Supported-Versions', async () => {
    const response = await h.http.post('/verification/initiate', await approvableInitiate(), { identity: h.walletA, headers: { 'Api-Version': undefined } });
    expectProblem(response, 400, 'urn:s2s-issuer:problem:unsupported-api-version');
    expect(response.headers['api-supported-versions']).toBe('1.0.0');
  });

  it('refuses an unsupported version with Api-Supported-Versions', async () => {
    const response = await h.http.post('/verification/initiate', await approvableInitiate(), { identity: h.walletA, headers: { 'Api-Version': '2.0.0' } });
    expectProblem(response, 400, 'urn:s2s-issuer:problem:unsupported-api-version');
    expect(response.headers['api-supported-versions']).toBe('1.0.0');
  });

  it('refuses a patch level that is not listed as supported, before anything is stored', async () => {
    const body = await approvableInitiate();
    const response = await h.http.post('/verification/initiate', body, { identity: h.walletA, headers: { 'Api-Version': '1.0.7' } });
    expectProblem(response, 400, 'urn:s2s-issuer:problem:unsupported-api-version');
    expect(response.json.detail).toContain('1.0.7');
    expect(await sessions().countDocuments({ sessionId: body.sessionId })).toBe(0);
  });

  it('answers a supported version with that version', async () => {
    const response = await h.http.post('/verification/initiate', await approvableInitiate(), { identity: h.walletA, headers: { 'Api-Version': '1.0.0' } });
    expect(response.status).toBe(200);
    expectVersionHeaders(response);
  });

  describe('carries Api-Version and Api-Supported-Versions on every response', () => {
    it('the issuer metadata', async () => {
      const response = await h.http.get('/.well-known/openid-credential-issuer-s2s', h.walletA);
      expect(response.status).toBe(200);
      expectVersionHeaders(response);
    });

    it('the OpenAPI document', async () => {
      const response = await h.http.get('/openapi.json', h.walletA);
      expect(response.status).toBe(200);
      expectVersionHeaders(response);
    });

    it('401 for an unregistered client certificate', async () => {
      const response = await h.http.get('/.well-known/openid-credential-issuer-s2s', h.unregistered);
      expectProblem(response, 401, 'urn:s2s-issuer:problem:unknown-client');
    });

    it('404 for an unknown path', async () => {
      expectProblem(await h.http.get('/verification/unknown', h.walletA), 404, 'urn:s2s-issuer:problem:not-found');
    });

    it('405 for a wrong method', async () => {
      expectProblem(await h.http.get('/verification/initiate', h.walletA), 405, 'urn:s2s-issuer:problem:method-not-allowed');
    });
  });
});

describe('x-request-id idempotency (S2S §Idempotency)', () => {
  it('requires a UUID x-request-id', async () => {
    const missing = await h.http.post('/verification/initiate', await approvableInitiate(), { identity: h.walletA, headers: { 'x-request-id': undefined } });
    expectProblem(missing, 400, 'urn:s2s-issuer:problem:invalid-request-id');
    const notUuid = await h.http.post('/verification/initiate', await approvableInitiate(), { identity: h.walletA, headers: { 'x-request-id': 'abc' } });
    expectProblem(notUuid, 400, 'urn:s2s-issuer:problem:invalid-request-id');
  });

  it('replays the original response for a repeated request without executing it again', async () => {
    const body = await approvableInitiate();
    const headers = { 'x-request-id': randomUUID() };
    const first = await h.http.post('/verification/initiate', body, { identity: h.walletA, headers });
    const second = await h.http.post('/verification/initiate', body, { identity: h.walletA, headers });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await sessions().countDocuments({ sessionId: body.sessionId })).toBe(1);
  });

  it('treats the same body in another key order as the same request', async () => {
    const body = await approvableInitiate();
    const headers = { 'x-request-id': randomUUID() };
    const first = await h.http.post('/verification/initiate', body, { identity: h.walletA, headers });
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const second = await h.http.post('/verification/initiate', reordered, { identity: h.walletA, headers });
    expect(second.text).toBe(first.text);
  });

  it('refuses the same x-request-id with a different body (422)', async () => {
    const headers = { 'x-request-id': randomUUID() };
    const first = await h.http.post('/verification/initiate', await approvableInitiate(), { identity: h.walletA, headers });
    expect(first.status).toBe(200);
    const other = await approvableInitiate();
    const second = await h.http.post('/verification/initiate', other, { identity: h.walletA, headers });
    expectProblem(second, 422, 'urn:s2s-issuer:problem:request-id-reused');
    expect(await sessions().countDocuments({ sessionId: other.sessionId })).toBe(0);
  });

  it('scopes request ids per tenant', async () => {
    const headers = { 'x-request-id': randomUUID() };
    const a = await h.http.post('/verification/initiate', await approvableInitiate(), { identity: h.walletA, headers });
    const b = await h.http.post('/verification/initiate', await approvableInitiate(), { identity: h.walletB, headers });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.json.verificationId).not.toBe(b.json.verificationId);
  });

  it('executes concurrent requests with the same x-request-id once and gives both the same answer', async () => {
    const body = await approvableInitiate();
    const headers = { 'x-request-id': randomUUID() };
    const responses = await Promise.all(Array.from({ length: 5 }, () => h.http.post('/verification/initiate', body, { identity: h.walletA, headers })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(responses.map((r) => r.text)).size).toBe(1);
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(4);
    expect(await sessions().countDocuments({ sessionId: body.sessionId })).toBe(1);
  });

  it('replays the original answer of a status request even after the status changed (one write per status request)', async () => {
    const body = await negotiatedInitiate();
    const started = await h.http.post('/verification/initiate', body, { identity: h.walletA });
    const ids = { sessionId: body.sessionId, verificationId: started.json.verificationId };
    const headers = { 'x-request-id': randomUUID() };
    const first = await h.http.post('/verification/status', ids, { identity: h.walletA, headers });
    expect(first.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect((await h.http.post('/verification/cancel', { ...ids, reason: 'USER_CANCELLED' }, { identity: h.walletA })).status).toBe(200);

    const repeated = await h.http.post('/verification/status', ids, { identity: h.walletA, headers });
    expect(repeated.text).toBe(first.text);
    expect(repeated.headers['idempotent-replayed']).toBe('true');
    expect((await h.http.post('/verification/status', ids, { identity: h.walletA })).json.status).toBe('DENIED');
    expectProblem(
      await h.http.post('/verification/status', { ...ids, verificationId: randomUUID() }, { identity: h.walletA, headers }),
      422,
      'urn:s2s-issuer:problem:request-id-reused',
    );
    expect(await h.db.collection('idempotency_records').findOne({ _id: `${h.walletA.tenant._id}/${headers['x-request-id']}` as never })).toMatchObject({
      state: 'completed',
      generation: 0,
    });
  });

  it('replays a client error too, so a retry cannot turn it into a different outcome', async () => {
    const body = { ...(await approvableInitiate()), credentialConfigurationIds: ['com.example.unknown'] };
    const headers = { 'x-request-id': randomUUID() };
    const first = await h.http.post('/verification/initiate', body, { identity: h.walletA, headers });
    const second = await h.http.post('/verification/initiate', body, { identity: h.walletA, headers });
    expect(first.status).toBe(400);
    expect(second.text).toBe(first.text);
  });
});

describe('request bodies', () => {
  it('answers malformed JSON with 400 Problem Details', async () => {
    const response = await h.http.post('/verification/initiate', undefined, { identity: h.walletA, raw: '{"sessionId": ' });
    expectProblem(response, 400, 'urn:s2s-issuer:problem:malformed-json');
    expect(response.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers a non-JSON media type with 415', async () => {
    const response = await h.http.post('/verification/initiate', undefined, {
      identity: h.walletA,
      raw: 'sessionId=1',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(response, 415, 'urn:s2s-issuer:problem:unsupported-media-type');
  });

  it('refuses a body that nests deeper than the limit before validating or fingerprinting it', async () => {
    const body = await approvableInitiate();
    // 5,000 levels of arrays, written as text (JSON.stringify itself would overflow the stack).
    const raw = `${JSON.stringify(body).slice(0, -1)},"extensions":{"urn:example:deep":${'['.repeat(5000)}1${']'.repeat(5000)}}}`;
    const response = await h.http.post('/verification/initiate', undefined, { identity: h.walletA, raw });
    expectProblem(response, 400, 'urn:s2s-issuer:problem:invalid-request');
    expect(response.json.validationErrors).toEqual([{ pointer: '', message: 'nests deeper than 32 levels' }]);
    expect(await sessions().countDocuments({ sessionId: body.sessionId })).toBe(0);
  });

  it('answers an oversized body with 413', async () => {
    const body = { ...(await approvableInitiate()), extensions: { padding: 'x'.repeat(128 * 1024) } };
    const response = await h.http.post('/verification/initiate', body, { identity: h.walletA });
    expectProblem(response, 413, 'urn:s2s-issuer:problem:payload-too-large');
  });

  it('lists every schema violation with a JSON pointer', async () => {
    const response = await h.http.post('/verification/initiate', { sessionId: 'not-a-uuid', credentialConfigurationIds: [] }, { identity: h.walletA });
    expectProblem(response, 400, 'urn:s2s-issuer:problem:invalid-request');
    const pointers = (response.json.validationErrors as { pointer: string }[]).map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/credentialConfigurationIds', '/sessionId', '/verificationNonce', '/walletSigningKeyData'].sort());
  });

  it('refuses an unknown member of a closed request object with a Problem pointing at it, storing nothing (profile §6)', async () => {
    const body = { ...(await approvableInitiate()), sessionToken: 'not in the draft' };
    const response = await h.http.post('/verification/initiate', body, { identity: h.walletA });
    expectProblem(response, 400, 'urn:s2s-issuer:problem:invalid-request');
    expect(response.json.validationErrors).toEqual([{ pointer: '/sessionToken', message: expect.stringContaining('unknown members are refused') }]);
    expect(await sessions().countDocuments({ sessionId: body.sessionId })).toBe(0);
  });

  it('answers an unknown path with 404 and a wrong method with 405, as Problem Details', async () => {
    const unknown = await h.http.post('/verification/unknown', {}, { identity: h.walletA });
    expectProblem(unknown, 404, 'urn:s2s-issuer:problem:not-found');
    const wrongMethod = await h.http.get('/verification/status', h.walletA);
    expectProblem(wrongMethod, 405, 'urn:s2s-issuer:problem:method-not-allowed');
  });
});
