import { randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { createIdempotencyRepository } from '../../store/idempotency';
import { collections } from '../../store/mongo';
import { CertificateRevokedError, createTenantRepository } from '../../store/tenants';
import { createCredentialOfferRepository } from '../../store/credential-offers';
import { createReviewCaseRepository, ReviewClaimError } from '../../store/review-cases';
import { createVerificationSessionRepository, currentDecision, SessionAlreadyUsedError, type NewVerification } from '../../store/verification-sessions';
import { connectTestDatabase } from '../support/test-database';

/** The repositories against the real MongoDB-wire server (FerretDB here, MongoDB in production). */
let mongo: MongoClient;
let db: Db;
beforeAll(async () => {
  ({ client: mongo, db } = await connectTestDatabase('stores'));
});
afterAll(async () => {
  await mongo?.close();
});

function newSession(tenantId: string, sessionId = randomUUID()): NewVerification {
  return {
    tenantId,
    sessionId,
    verificationId: randomUUID(),
    initiatedBy: { requestId: randomUUID(), fingerprint: 'fp' },
    credentialConfigurationIds: ['x'],
    walletSigningKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', alg: 'ES256' },
    requestedDeviceCount: 1,
  };
}

describe('verification sessions', () => {
  const sessions = () => createVerificationSessionRepository(db);

  it('lets a sessionId be created once per tenant, even under concurrency', async () => {
    const sessionId = randomUUID();
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => sessions().create(newSession('t1', sessionId))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(SessionAlreadyUsedError);
    const other = newSession('t2', sessionId);
    await expect(sessions().create(other)).resolves.toBe(other.verificationId);
  });

  it('gives the request that created a session its verificationId again, and refuses any other request', async () => {
    const session = newSession('t1');
    expect(await sessions().create(session)).toBe(session.verificationId);
    // The same request retried after a crash proposes a fresh verificationId; it gets the first one.
    expect(await sessions().create({ ...session, verificationId: randomUUID() })).toBe(session.verificationId);
    await expect(
      sessions().create({ ...session, verificationId: randomUUID(), initiatedBy: { ...session.initiatedBy, requestId: randomUUID() } }),
    ).rejects.toBeInstanceOf(SessionAlreadyUsedError);
    await expect(
      sessions().create({ ...session, verificationId: randomUUID(), initiatedBy: { ...session.initiatedBy, fingerprint: 'other' } }),
    ).rejects.toBeInstanceOf(SessionAlreadyUsedError);
  });

  it('keeps the newest status when status writes arrive out of order', async () => {
    const session = newSession('t1');
    await sessions().create(session);
    const key = { tenantId: 't1', sessionId: session.sessionId };
    await sessions().recordDecision(key, session.verificationId, { status: 'APPROVED', credentialConfigurationIds: ['x'] }, 2);
    await sessions().recordDecision(
      key,
      session.verificationId,
      { status: 'ADDITIONAL_INFO_REQUIRED', verificationDataRequest: { verificationDataItems: [] } },
      1,
    );
    const stored = await sessions().find(key, session.verificationId);
    expect(stored && currentDecision(stored)).toEqual({ status: 'APPROVED', credentialConfigurationIds: ['x'] });
    expect(Object.keys(stored?.decisions ?? {}).sort()).toEqual(['0', '1', '2']);
  });

  it('starts a re-verification once, keeping the earlier verification readable', async () => {
    const session = newSession('t1');
    await sessions().create(session);
    const key = { tenantId: 't1', sessionId: session.sessionId };
    await sessions().recordDecision(key, session.verificationId, { status: 'EXPIRED' }, 1);
    const next = {
      ...session,
      verificationId: randomUUID(),
      credentialConfigurationIds: ['y'],
      initiatedBy: { requestId: randomUUID(), fingerprint: 'fp-next' },
    };
    const rival = { ...next, verificationId: randomUUID(), initiatedBy: { requestId: randomUUID(), fingerprint: 'fp-rival' } };
    const attempts = await Promise.all([
      sessions().startReverification(key, session.verificationId, next),
      sessions().startReverification(key, session.verificationId, rival),
    ]);
    expect(attempts.filter(Boolean)).toHaveLength(1);
    const winner = attempts[0] ? next : rival;
    // The winning request, retried, recognises its own verification; the loser stays refused.
    expect(await sessions().startReverification(key, session.verificationId, { ...winner, verificationId: randomUUID() })).toBe(winner.verificationId);
    expect(await sessions().startReverification(key, session.verificationId, { ...(attempts[0] ? rival : next), verificationId: randomUUID() })).toBeNull();
    const current = await sessions().get(key);
    expect(current?.current).toBe(true);
    expect(current && currentDecision(current)).toEqual({ status: 'PENDING' });
    const earlier = await sessions().find(key, session.verificationId);
    expect(earlier && { current: earlier.current, decision: currentDecision(earlier) }).toEqual({ current: false, decision: { status: 'EXPIRED' } });
  });

  it('finds a session only with its tenant and verificationId', async () => {
    const session = newSession('t1');
    await sessions().create(session);
    expect(await sessions().find({ tenantId: 't1', sessionId: session.sessionId }, session.verificationId)).not.toBeNull();
    expect(await sessions().find({ tenantId: 't2', sessionId: session.sessionId }, session.verificationId)).toBeNull();
    expect(await sessions().find({ tenantId: 't1', sessionId: session.sessionId }, randomUUID())).toBeNull();
  });
});

describe('idempotency records', () => {
  const records = (leaseMs = 60_000) => createIdempotencyRepository(db, { retentionMs: 60_000, leaseMs });
  const request = (fingerprint = 'fp') => ({ fingerprint, path: '/verification/initiate', sessionId: 's' });

  it('grants exactly one of many concurrent claims', async () => {
    const key = { tenantId: 't1', requestId: randomUUID() };
    const claims = await Promise.all(Array.from({ length: 8 }, () => records().claim(key, request())));
    expect(claims.filter((c) => c.outcome === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.outcome === 'in_progress')).toHaveLength(7);
  });

  it('replays a completed response and refuses another fingerprint', async () => {
    const key = { tenantId: 't1', requestId: randomUUID() };
    expect(await records().claim(key, request())).toEqual({ outcome: 'claimed', generation: 0 });
    await records().complete(key, { status: 200, contentType: 'application/json', body: '{}' });
    expect(await records().claim(key, request())).toEqual({ outcome: 'replay', response: { status: 200, contentType: 'application/json', body: '{}' } });
    expect(await records().claim(key, request('other'))).toEqual({ outcome: 'fingerprint_mismatch' });
  });

  it('lets a retry execute again at once after a released (5xx) execution, but not another request', async () => {
    const key = { tenantId: 't1', requestId: randomUUID() };
    await records().claim(key, request());
    await records().release(key);
    expect(await records().claim(key, request('other'))).toEqual({ outcome: 'fingerprint_mismatch' });
    expect(await records().claim(key, request())).toEqual({ outcome: 'claimed', generation: 1 });
  });

  it('keeps an execution whose lease is renewed, and hands a lapsed one to exactly one of many retries', async () => {
    const repository = records(400);
    const key = { tenantId: 't1', requestId: randomUUID() };
    await repository.claim(key, request());
    await new Promise((resolve) => setTimeout(resolve, 250));
    await repository.renew(key);
    await new Promise((resolve) => setTimeout(resolve, 250));
    // 500 ms after the claim, but renewed 250 ms ago: still held.
    expect(await repository.claim(key, request())).toEqual({ outcome: 'in_progress' });
    await new Promise((resolve) => setTimeout(resolve, 450));
    const retries = await Promise.all(Array.from({ length: 6 }, () => repository.claim(key, request())));
    expect(retries.filter((c) => c.outcome === 'claimed')).toEqual([{ outcome: 'claimed', generation: 1 }]);
    expect(retries.filter((c) => c.outcome === 'in_progress')).toHaveLength(5);
  });

  it('takes over from a retry that died between winning the takeover and renewing the lease', async () => {
    const repository = records(300);
    const key = { tenantId: 't1', requestId: randomUUID() };
    await repository.claim(key, request());
    // A takeover marker for generation 1 whose owner never updated the record.
    await db.collection('idempotency_takeovers').insertOne({ _id: `t1/${key.requestId}#1` as never, at: new Date() });
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await repository.claim(key, request())).toEqual({ outcome: 'claimed', generation: 2 });
  });

  it('lists executions whose lease lapsed, for reconciliation, and forgets them', async () => {
    const repository = records(200);
    const key = { tenantId: 't-lapsed', requestId: randomUUID() };
    await repository.claim(key, request());
    await new Promise((resolve) => setTimeout(resolve, 250));
    const lapsed = (await repository.listLapsed(new Date(), 1000)).filter((e) => e.requestId === key.requestId);
    expect(lapsed).toEqual([expect.objectContaining({ tenantId: 't-lapsed', path: '/verification/initiate', sessionId: 's', generation: 0 })]);
    expect(await repository.takeOverLapsed(lapsed[0] as never)).toBe(true);
    expect(await repository.takeOverLapsed(lapsed[0] as never)).toBe(false);
    await repository.forget(key);
    expect(await repository.claim(key, request())).toEqual({ outcome: 'claimed', generation: 0 });
  });

  it('sweeps records past retention', async () => {
    const shortLived = createIdempotencyRepository(db, { retentionMs: -1, leaseMs: 60_000 });
    const key = { tenantId: 't-sweep', requestId: randomUUID() };
    await shortLived.claim(key, request());
    expect(await shortLived.sweepExpired()).toBeGreaterThanOrEqual(1);
    expect(await shortLived.claim(key, request())).toEqual({ outcome: 'claimed', generation: 0 });
  });
});

describe('first-one-wins decisions under concurrency (inserts on _id, not conditional updates)', () => {
  it('redeems a pre-authorized code for exactly one of many concurrent verifications', async () => {
    const offers = createCredentialOfferRepository(db);
    const { code } = await offers.create({ credentialConfigurationIds: ['x'], holderAccountId: 'a', holderAuthenticated: true, ttlMs: 60_000 });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => offers.redeem(code, { tenantId: 't', sessionId: `s${i}`, verificationId: `v${i}` })));
    expect(results.filter((r) => r.outcome === 'redeemed')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'used')).toHaveLength(5);
  });

  it('lets exactly one of many reviewers claim a case at once, and decide it once', async () => {
    const cases = createReviewCaseRepository(db);
    const verificationId = randomUUID();
    await cases.open({ tenantId: 't', sessionId: 's', verificationId, credentialConfigurationIds: ['x'], evidenceRef: 'e', reasons: ['r'] });
    const caseId = `${verificationId}:e`;
    const claims = await Promise.allSettled(['r1', 'r2', 'r3', 'r4'].map((reviewer) => cases.claim(caseId, reviewer, 60_000)));
    const winners = claims.filter((c) => c.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const winner = (winners[0] as PromiseFulfilledResult<{ claimedBy?: string }>).value.claimedBy as string;
    const decisions = await Promise.allSettled([1, 2, 3].map(() => cases.recordDecision(caseId, winner, { outcome: 'APPROVED', decidedBy: winner })));
    expect(decisions.filter((d) => d.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('review claims (profile §Manual review)', () => {
  it('times claims by the repository clock: a claim holds until claimMs has passed, then anyone may take the case', async () => {
    let clock = new Date('2026-12-01T10:00:00Z');
    const cases = createReviewCaseRepository(db, () => clock);
    const verificationId = randomUUID();
    await cases.open({ tenantId: 't', sessionId: 's', verificationId, credentialConfigurationIds: ['x'], evidenceRef: 'e', reasons: ['r'] });
    const caseId = `${verificationId}:e`;
    const claimable = async (reviewer: string) => (await cases.list({ tenantId: 't', claimableBy: reviewer })).some((c) => c._id === caseId);

    expect((await cases.claim(caseId, 'alice', 60_000)).claimExpiresAt).toEqual(new Date('2026-12-01T10:01:00Z'));
    clock = new Date('2026-12-01T10:00:59.999Z');
    await expect(cases.claim(caseId, 'bob', 60_000)).rejects.toBeInstanceOf(ReviewClaimError);
    expect(await claimable('bob')).toBe(false);
    expect((await cases.claimedBy(caseId, 'alice'))._id).toBe(caseId);

    clock = new Date('2026-12-01T10:01:00Z');
    expect(await claimable('bob')).toBe(true);
    await expect(cases.claimedBy(caseId, 'alice')).rejects.toBeInstanceOf(ReviewClaimError);
    expect((await cases.claim(caseId, 'bob', 60_000)).claimedBy).toBe('bob');
    expect((await cases.auditTrail(caseId)).map((e) => [e.reviewerId, e.at.toISOString()])).toEqual([
      ['alice', '2026-12-01T10:00:00.000Z'],
      ['bob', '2026-12-01T10:01:00.000Z'],
    ]);
  });
});

describe('tenants', () => {
  it('registers a certificate once; re-registration updates the tenant instead of adding one', async () => {
    const tenants = createTenantRepository(db);
    const thumbprint = randomUUID();
    const registrations = await Promise.all(
      Array.from({ length: 4 }, () =>
        tenants.register({ name: 'w', certThumbprint: thumbprint, certificatePem: 'pem', notificationBaseUrl: 'https://w.example' }),
      ),
    );
    expect(new Set(registrations.map((t) => t._id)).size).toBe(1);
    const renamed = await tenants.register({ name: 'renamed', certThumbprint: thumbprint, certificatePem: 'pem', notificationBaseUrl: 'https://w2.example' });
    expect(renamed._id).toBe(registrations[0]?._id);
    expect(await tenants.findByThumbprint(thumbprint)).toMatchObject({ name: 'renamed', notificationBaseUrl: 'https://w2.example' });
    expect(await tenants.findByThumbprint('unknown')).toBeNull();
  });

  const registration = (certThumbprint: string) => ({ name: 'w', certThumbprint, certificatePem: 'pem', notificationBaseUrl: 'https://w.example' });

  it('stops authenticating a revoked certificate, keeps the first revocation time, and never registers it again', async () => {
    const tenants = createTenantRepository(db);
    const thumbprint = randomUUID();
    const tenant = await tenants.register(registration(thumbprint));
    expect(await tenants.authenticate(thumbprint)).toMatchObject({ _id: tenant._id });

    const first = await tenants.revokeCertificate(thumbprint, new Date('2026-12-01T10:00:00Z'));
    const again = await tenants.revokeCertificate(thumbprint, new Date('2026-12-01T11:00:00Z'));
    expect(first).toEqual({ revokedAt: new Date('2026-12-01T10:00:00Z'), tenantId: tenant._id });
    expect(again).toEqual(first);
    expect(await tenants.authenticate(thumbprint)).toBeNull();
    await expect(tenants.register(registration(thumbprint))).rejects.toBeInstanceOf(CertificateRevokedError);
    // The tenant and its records stay: only the certificate stops working.
    expect(await tenants.findById(tenant._id)).toMatchObject({ name: 'w' });
  });

  it('revokes a certificate that was never registered, so that it cannot be registered later', async () => {
    const tenants = createTenantRepository(db);
    const thumbprint = randomUUID();
    expect(await tenants.revokeCertificate(thumbprint)).toEqual({ revokedAt: expect.any(Date) });
    await expect(tenants.register(registration(thumbprint))).rejects.toBeInstanceOf(CertificateRevokedError);
    expect(await tenants.authenticate(thumbprint)).toBeNull();
  });

  it('deregisters a tenant: every certificate it holds stops authenticating, and the tenant record stays', async () => {
    const tenants = createTenantRepository(db);
    const [first, second] = [randomUUID(), randomUUID()];
    const tenant = await tenants.register(registration(first));
    // A second certificate of the same tenant (rotation), as the store keeps them.
    await db
      .collection<{ _id: string; tenantId: string; certificatePem: string; addedAt: Date }>(collections.tenantCertificates)
      .insertOne({ _id: second, tenantId: tenant._id, certificatePem: 'pem', addedAt: new Date() });
    const other = await tenants.register(registration(randomUUID()));
    expect(await tenants.authenticate(second)).toMatchObject({ _id: tenant._id });

    const deregistered = await tenants.deregister(tenant._id);
    expect(deregistered).toMatchObject({ _id: tenant._id, deregisteredAt: expect.any(Date) });
    expect(await tenants.deregister(tenant._id)).toEqual(deregistered);
    expect(await tenants.authenticate(first)).toBeNull();
    expect(await tenants.authenticate(second)).toBeNull();
    await expect(tenants.register(registration(second))).rejects.toBeInstanceOf(CertificateRevokedError);
    expect(await tenants.findById(tenant._id)).toMatchObject({ name: 'w' });
    const othersCertificate = await db.collection<{ _id: string; tenantId: string }>(collections.tenantCertificates).findOne({ tenantId: other._id });
    expect(await tenants.authenticate(othersCertificate?._id ?? '')).toMatchObject({ _id: other._id });
    expect(await tenants.deregister('no-such-tenant')).toBeNull();
  });
});
