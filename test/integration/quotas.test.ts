import { randomUUID } from 'node:crypto';
import { createOpenVerificationRepository } from '../../store/open-verifications';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { pollUntil } from '../support/polling';
import { approvableInitiate, negotiatedInitiate } from '../support/wallet-requests';

/** Profile §Quotas: per-tenant rate limit, open-verification cap and fair review queue. */
let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness();
});
afterAll(async () => {
  await h?.close();
});

const statusOfUnknown = () => ({ sessionId: randomUUID(), verificationId: randomUUID() });

describe('rate limit per Wallet Server (S2S §Rate Limiting)', () => {
  it('answers 429 with Retry-After once the burst is spent, before reading the body, and leaves other tenants alone', async () => {
    const flooder = await h.registerWallet('flooder', { quotas: { ratePerSecond: 1, burst: 3 } });
    for (let n = 0; n < 3; n += 1) {
      expect((await h.http.post('/verification/status', statusOfUnknown(), { identity: flooder })).status).toBe(404);
    }

    // Over the limit, a body the parser would refuse (413, then 400) gets 429: nothing read it.
    const requestId = randomUUID();
    const huge = await h.http.post('/verification/initiate', undefined, {
      identity: flooder,
      raw: `{"sessionId": "${'x'.repeat(512 * 1024)}`,
      headers: { 'x-request-id': requestId },
    });
    expect(huge.status).toBe(429);
    expect(huge.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(huge.json).toMatchObject({ type: 'urn:s2s-issuer:problem:rate-limited', status: 429, retryable: true });
    expect(Number(huge.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const malformed = await h.http.post('/verification/initiate', undefined, { identity: flooder, raw: '{"sessionId": ' });
    expect(malformed.status).toBe(429);
    // Refused before the idempotency layer: the x-request-id was not recorded.
    expect(await h.db.collection('idempotency_records').countDocuments({ _id: `${flooder.tenant._id}/${requestId}` as never })).toBe(0);

    // Another Wallet Server is not limited by this one's flood.
    expect((await h.http.post('/verification/initiate', await approvableInitiate(), { identity: h.walletB })).status).toBe(200);

    // After Retry-After the flooder is served again.
    await new Promise((resolve) => setTimeout(resolve, Number(huge.headers['retry-after']) * 1000));
    expect((await h.http.post('/verification/status', statusOfUnknown(), { identity: flooder })).status).toBe(404);
  });

  it('takes the rate from the registration, and re-registration without quotas keeps them', async () => {
    const generous = await h.registerWallet('generous', { quotas: { ratePerSecond: 1, burst: 40 } });
    const answers = await Promise.all(Array.from({ length: 30 }, () => h.http.post('/verification/status', statusOfUnknown(), { identity: generous })));
    expect(answers.every((a) => a.status === 404)).toBe(true);

    const again = await h.deps.tenants.register({
      name: 'generous',
      certThumbprint: (await h.db.collection('wallet_server_certificates').findOne({ tenantId: generous.tenant._id }))?._id as unknown as string,
      certificatePem: generous.certificatePem,
      notificationBaseUrl: 'https://generous.example/s2s',
    });
    expect(again.quotas).toEqual({ ratePerSecond: 1, burst: 40 });
    expect((await h.deps.tenants.findById(generous.tenant._id))?.quotas).toEqual({ ratePerSecond: 1, burst: 40 });
  });
});

describe('open verifications per Wallet Server', () => {
  it('refuses an initiate beyond the cap with a Problem and stores nothing; a verification that ends frees its slot', async () => {
    const capped = await h.registerWallet('capped', { quotas: { maxOpenVerifications: 2 } });
    const open = [];
    for (let n = 0; n < 2; n += 1) {
      const body = await negotiatedInitiate();
      const started = await h.http.post('/verification/initiate', body, { identity: capped });
      expect(started.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
      open.push({ sessionId: body.sessionId, verificationId: started.json.verificationId as string });
    }

    const third = await negotiatedInitiate();
    const headers = { 'x-request-id': randomUUID() };
    const refused = await h.http.post('/verification/initiate', third, { identity: capped, headers });
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ type: 'urn:s2s-issuer:problem:too-many-open-verifications', status: 429 });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await h.db.collection('verification_sessions').countDocuments({ sessionId: third.sessionId })).toBe(0);
    // Other tenants are not counted against this one's cap.
    expect((await h.http.post('/verification/initiate', await negotiatedInitiate(), { identity: h.walletB })).status).toBe(200);

    // Cancelling one ends it (DENIED): its slot is freed by the worker.
    const [first] = open;
    expect((await h.http.post('/verification/cancel', { ...first, reason: 'USER_CANCELLED' }, { identity: capped })).status).toBe(200);
    const slots = createOpenVerificationRepository(h.db);
    await pollUntil(
      () => slots.countHeld(capped.tenant._id),
      (held) => held === 1,
      { what: 'slot freed' },
    );

    // The refused request, retried with the same x-request-id after Retry-After, executes: a 429 is not replayed.
    const retried = await h.http.post('/verification/initiate', third, { identity: capped, headers });
    expect(retried.status).toBe(200);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await slots.countHeld(capped.tenant._id)).toBe(2);
  });

  it('holds no slot for a verification that ended at once', async () => {
    const quick = await h.registerWallet('quick', { quotas: { maxOpenVerifications: 1 } });
    for (let n = 0; n < 3; n += 1) {
      const started = await h.http.post('/verification/initiate', await approvableInitiate(), { identity: quick });
      expect(started.status).toBe(200);
      await pollUntil(
        () => createOpenVerificationRepository(h.db).countHeld(quick.tenant._id),
        (held) => held === 0,
        { what: 'slot freed after APPROVED' },
      );
    }
  });

  it('gives each slot to exactly one of many concurrent initiates', async () => {
    const racing = await h.registerWallet('racing', { quotas: { maxOpenVerifications: 3 } });
    const answers = await Promise.all(
      Array.from({ length: 8 }, async () => h.http.post('/verification/initiate', await negotiatedInitiate(), { identity: racing })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(5);
    expect(await createOpenVerificationRepository(h.db).countHeld(racing.tenant._id)).toBe(3);
  });
});

describe('review queue shared fairly between tenants', () => {
  it("lists another tenant's oldest cases although one tenant's older flood fills more than the whole window", async () => {
    const flood = Array.from({ length: 600 }, (_, n) => ({
      _id: `flood-${n}`,
      tenantId: h.walletA.tenant._id,
      sessionId: randomUUID(),
      verificationId: randomUUID(),
      credentialConfigurationIds: ['org.iso.18013.5.1.mDL'],
      evidenceRef: `evidence-${n}`,
      reasons: ['identity evidence needs a person'],
      state: 'open',
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    }));
    const quiet = [1, 2].map((n) => ({ ...flood[0], _id: `quiet-${n}`, tenantId: h.walletB.tenant._id, createdAt: new Date(Date.UTC(2026, 0, 2, 0, 0, n)) }));
    await h.db.collection('review_cases').insertMany([...flood, ...quiet] as never[]);

    const listed = await h.admin('GET', '/admin/review-cases', 'alice');
    expect(listed.status).toBe(200);
    const ids = (listed.json.cases as { caseId: string }[]).map((c) => c.caseId);
    expect(ids).toHaveLength(50);
    expect(ids.slice(0, 4)).toEqual(['flood-0', 'quiet-1', 'flood-1', 'quiet-2']);

    // One tenant's own queue stays oldest first.
    const own = await h.admin('GET', `/admin/review-cases?tenantId=${h.walletA.tenant._id}`, 'alice');
    expect((own.json.cases as { caseId: string }[]).slice(0, 3).map((c) => c.caseId)).toEqual(['flood-0', 'flood-1', 'flood-2']);
  });
});
