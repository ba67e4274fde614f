import { randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { generateDataKeyringJson, parseDataKeyring } from '../../crypto/data-encryption';
import { createCredentialOfferRepository } from '../../store/credential-offers';
import { createDeviceMigrationRepository } from '../../store/device-migrations';
import { createIdempotencyRepository } from '../../store/idempotency';
import { createIssuerAuthenticationRepository } from '../../store/issuer-authentications';
import { collections } from '../../store/mongo';
import { createOneTimeCodeRepository } from '../../store/one-time-codes';
import { createRetentionSweeper, type RetentionPeriods } from '../../store/retention';
import { createReviewCaseRepository } from '../../store/review-cases';
import { createVerificationDataRepository } from '../../store/verification-data';
import {
  createVerificationSessionRepository,
  currentDecision,
  SessionAlreadyUsedError,
  sessionDocumentId,
  type NewVerification,
} from '../../store/verification-sessions';
import { connectTestDatabase } from '../support/test-database';

/**
 * Retention (profile §Retention) against the real MongoDB-wire server. Records are written by the
 * repositories at real time; the sweeper's clock is moved past the periods instead of waiting.
 */
let mongo: MongoClient;
let db: Db;
beforeAll(async () => {
  ({ client: mongo, db } = await connectTestDatabase('retention'));
});
afterAll(async () => {
  await mongo?.close();
});

const hour = 3600_000;
const periods: RetentionPeriods = { evidenceMs: hour, sessionMs: 2 * hour, oneTimeCodeMs: 25 * hour, credentialOfferMs: hour };
const keyring = parseDataKeyring(generateDataKeyringJson('kek-test'), 'test');
const tick = () => new Promise((resolve) => setTimeout(resolve, 25));
const tenantId = randomUUID();

function newVerification(sessionId: string = randomUUID()): NewVerification {
  return {
    tenantId,
    sessionId,
    verificationId: randomUUID(),
    initiatedBy: { requestId: randomUUID(), fingerprint: 'fp' },
    credentialConfigurationIds: ['x'],
    walletSigningKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', alg: 'ES256' },
    requestedDeviceCount: 2,
  };
}

/** A verification with everything a verification can leave behind: evidence, a review case with its audit, a sign-in handle, a device slot. */
async function verificationWithRecords(verification: NewVerification) {
  const sessions = createVerificationSessionRepository(db);
  const data = createVerificationDataRepository(db, keyring);
  const reviews = createReviewCaseRepository(db);
  const ref = { tenantId: verification.tenantId, sessionId: verification.sessionId, verificationId: verification.verificationId };
  const evidenceRef = randomUUID();
  await data.save(
    ref,
    { serverItems: [], clientItems: [{ id: 'doc', type: 'identity-evidence', documentType: 'PASSPORT', selfieRef: 'face' }], additionalAssessments: [] },
    evidenceRef,
  );
  await reviews.open({ ...ref, credentialConfigurationIds: ['x'], evidenceRef, reasons: ['identity evidence needs a person'] });
  const caseId = `${ref.verificationId}:${evidenceRef}`;
  await reviews.claim(caseId, 'reviewer-1', 60_000);
  await reviews.audit(caseId, 'reviewer-1', 'view_evidence');
  await reviews.recordDecision(caseId, 'reviewer-1', { outcome: 'APPROVED', decidedBy: 'reviewer-1' });
  const handle = await createIssuerAuthenticationRepository(db).begin(ref, 60_000);
  await createIssuerAuthenticationRepository(db).complete(handle, 'holder-account-1');
  await createDeviceMigrationRepository(db).claimSlot(sessionDocumentId(ref), ref.tenantId, randomUUID(), 1);
  return { ref, evidenceRef, caseId, sessions };
}

/** What is stored of one verification, by collection. */
async function recordsOf(v: { ref: { tenantId: string; sessionId: string; verificationId: string }; evidenceRef: string; caseId: string }) {
  const count = (name: string, filter: Record<string, unknown>) => db.collection(name).countDocuments(filter);
  const reviewCase = await db.collection(collections.reviewCases).findOne({ _id: v.caseId as never });
  return {
    evidence: await count(collections.verificationData, { _id: v.evidenceRef }),
    handles: await count(collections.issuerAuthentications, { verificationId: v.ref.verificationId }),
    reviewCase: reviewCase ? { evidenceRef: reviewCase.evidenceRef ?? null, reasons: reviewCase.reasons ?? null, state: reviewCase.state } : null,
    deviceSlots: await count(collections.deviceMigrations, { previousSessionKey: sessionDocumentId(v.ref) }),
    holderBindings: await count(collections.sessionHolders, { verificationId: v.ref.verificationId }),
    audit: (await db.collection(collections.reviewAudit).find({ caseId: v.caseId }).sort({ at: 1 }).toArray()).map((e) => ({
      reviewerId: e.reviewerId,
      action: e.action,
      outcome: e.outcome ?? null,
    })),
  };
}

/** Every document of the collections retention touches, to show that a pass changed nothing. */
async function snapshot(): Promise<string> {
  const names = Object.values(collections);
  const all = await Promise.all(names.map(async (name) => [name, await db.collection(name).find({}).sort({ _id: 1 }).toArray()]));
  return JSON.stringify(all);
}

describe('retention of what a verification leaves behind (profile §Retention)', () => {
  it('deletes evidence after its period and retires the session after its own, leaving open and recently ended verifications and the audit trail alone', async () => {
    const old = await verificationWithRecords(newVerification());
    const open = await verificationWithRecords(newVerification());
    const reverified = await verificationWithRecords(newVerification());
    const { sessions } = old;
    for (const v of [old, open, reverified]) await sessions.create({ ...newVerification(v.ref.sessionId), verificationId: v.ref.verificationId });

    await sessions.recordDecision(old.ref, old.ref.verificationId, { status: 'APPROVED', credentialConfigurationIds: ['x'], authorizedDeviceCount: 2 }, 1);
    await sessions.recordDecision(
      open.ref,
      open.ref.verificationId,
      { status: 'ADDITIONAL_INFO_REQUIRED', verificationDataRequest: { verificationDataItems: [] } },
      1,
    );
    // Ended long ago, but re-verified since: the session has an open verification again.
    await sessions.recordDecision(
      reverified.ref,
      reverified.ref.verificationId,
      { status: 'DENIED', reasonCode: 'CANCELLED', deniedMessage: 'The verification was cancelled.' },
      1,
    );
    await sessions.startReverification(reverified.ref, reverified.ref.verificationId, { ...newVerification(reverified.ref.sessionId) });
    await tick();
    const boundary = new Date();
    await tick();
    const recent = await verificationWithRecords(newVerification());
    await sessions.create({ ...newVerification(recent.ref.sessionId), verificationId: recent.ref.verificationId });
    await sessions.recordDecision(recent.ref, recent.ref.verificationId, { status: 'EXPIRED' }, 1);

    const before = {
      old: await recordsOf(old),
      open: await recordsOf(open),
      reverified: await recordsOf(reverified),
      recent: await recordsOf(recent),
    };
    expect(before.old).toMatchObject({
      evidence: 1,
      handles: 1,
      deviceSlots: 1,
      holderBindings: 1,
      reviewCase: { evidenceRef: old.evidenceRef, state: 'decided' },
    });
    expect(before.old.audit).toEqual([
      { reviewerId: 'reviewer-1', action: 'claim', outcome: null },
      { reviewerId: 'reviewer-1', action: 'view_evidence', outcome: null },
      { reviewerId: 'reviewer-1', action: 'decide', outcome: 'APPROVED' },
    ]);

    // Past the evidence period of `old` (ended before the boundary), not of `recent` (after it).
    const evidenceSweep = createRetentionSweeper(db, { periods, now: () => new Date(boundary.getTime() + periods.evidenceMs) });
    expect(await evidenceSweep.removeEndedEvidence(100)).toBe(1);
    expect(await evidenceSweep.retireEndedSessions(100)).toBe(0);
    const afterEvidence = await recordsOf(old);
    expect(afterEvidence).toMatchObject({ evidence: 0, handles: 0, deviceSlots: 1, reviewCase: { evidenceRef: null, reasons: null, state: 'decided' } });
    expect(afterEvidence.audit).toEqual(before.old.audit);
    expect(await db.collection(collections.issuerAuthenticationCompletions).countDocuments({ holderAccountId: 'holder-account-1' })).toBe(3);
    // The wallet can still read the status.
    const stillReadable = await sessions.find(old.ref, old.ref.verificationId);
    expect(stillReadable && currentDecision(stillReadable).status).toBe('APPROVED');
    expect(await recordsOf(open)).toEqual(before.open);
    expect(await recordsOf(reverified)).toEqual(before.reverified);
    expect(await recordsOf(recent)).toEqual(before.recent);

    // A second pass at the same time finds nothing to do.
    const unchanged = await snapshot();
    expect(await evidenceSweep.removeEndedEvidence(100)).toBe(0);
    expect(await evidenceSweep.retireEndedSessions(100)).toBe(0);
    expect(await snapshot()).toBe(unchanged);

    // Past the session period of `old`: the session is reduced to a tombstone that keeps its sessionId consumed.
    const sessionSweep = createRetentionSweeper(db, { periods, now: () => new Date(boundary.getTime() + periods.sessionMs) });
    expect(await sessionSweep.retireEndedSessions(100)).toBe(1);
    expect(await sessions.find(old.ref, old.ref.verificationId)).toBeNull();
    expect(await sessions.get(old.ref)).toBeNull();
    await expect(sessions.create(newVerification(old.ref.sessionId))).rejects.toBeInstanceOf(SessionAlreadyUsedError);
    const tombstone = await db.collection(collections.verificationSessions).findOne({ _id: sessionDocumentId(old.ref) as never });
    expect(Object.keys(tombstone ?? {}).sort()).toEqual(['_id', 'createdAt', 'currentVerificationId', 'retiredAt', 'sessionId', 'tenantId', 'verifications']);
    const retired = await recordsOf(old);
    expect(retired).toMatchObject({ evidence: 0, handles: 0, deviceSlots: 0, holderBindings: 0, reviewCase: null });
    expect(await db.collection(collections.reviewDecisions).countDocuments({ _id: old.caseId as never })).toBe(0);
    expect(await db.collection(collections.reviewClaims).countDocuments({ caseId: old.caseId })).toBe(0);
    // The audit trail remains: who did what and when, and the decision.
    expect(retired.audit).toEqual(before.old.audit);
    // Open verifications are untouched; the recently ended one keeps its session (its evidence is now due).
    expect(await recordsOf(open)).toEqual(before.open);
    expect(await recordsOf(reverified)).toEqual(before.reverified);
    expect(await sessionSweep.removeEndedEvidence(100)).toBe(1);
    expect(await recordsOf(recent)).toMatchObject({ evidence: 0, deviceSlots: 1 });
    expect(await sessions.find(recent.ref, recent.ref.verificationId)).not.toBeNull();

    const retiredOnce = await snapshot();
    expect(await sessionSweep.removeEndedEvidence(100)).toBe(0);
    expect(await sessionSweep.retireEndedSessions(100)).toBe(0);
    expect(await snapshot()).toBe(retiredOnce);
  });

  it('takes at most the batch limit per pass, oldest first, and the rest in the next passes', async () => {
    const sessions = createVerificationSessionRepository(db);
    const ended: NewVerification[] = [];
    for (let i = 0; i < 3; i += 1) {
      const verification = newVerification();
      await sessions.create(verification);
      await sessions.recordDecision(verification, verification.verificationId, { status: 'EXPIRED' }, 1);
      ended.push(verification);
    }
    const sweep = createRetentionSweeper(db, { periods, now: () => new Date(Date.now() + 10 * periods.sessionMs) });
    // (Sessions of earlier tests that ended before these may be due too: they go first.)
    expect(await sweep.retireEndedSessions(2)).toBe(2);
    expect(await sessions.get(ended[0] as NewVerification)).toBeNull();
    expect(await sessions.get(ended[2] as NewVerification)).not.toBeNull();
    const later: number[] = [];
    for (let pass = 0; pass < 3; pass += 1) later.push(await sweep.retireEndedSessions(2));
    expect(later.every((n) => n <= 2)).toBe(true);
    expect(later.at(-1)).toBe(0);
    for (const verification of ended) expect(await sessions.get(verification)).toBeNull();
  });

  it('clears a stale end marker from a session whose current verification is open, without touching it', async () => {
    const sessions = createVerificationSessionRepository(db);
    const first = newVerification();
    await sessions.create(first);
    await sessions.recordDecision(
      first,
      first.verificationId,
      { status: 'DENIED', reasonCode: 'CANCELLED', deniedMessage: 'The verification was cancelled.' },
      1,
    );
    const next = { ...newVerification(first.sessionId) };
    await sessions.startReverification(first, first.verificationId, next);
    // A late retry of the superseded verification's final write marks the session as ended.
    await sessions.recordDecision(
      first,
      first.verificationId,
      { status: 'DENIED', reasonCode: 'CANCELLED', deniedMessage: 'The verification was cancelled.' },
      1,
    );
    const sweep = createRetentionSweeper(db, { periods, now: () => new Date(Date.now() + 10 * periods.sessionMs) });
    expect(await sweep.retireEndedSessions(1000)).toBe(0);
    expect(await sweep.removeEndedEvidence(1000)).toBe(0);
    const current = await sessions.get(first);
    expect(current && { id: current.verificationId, status: currentDecision(current).status }).toEqual({ id: next.verificationId, status: 'PENDING' });
    const stored = await db.collection(collections.verificationSessions).findOne({ _id: sessionDocumentId(first) as never });
    expect(stored?.endedAt).toBeUndefined();
  });
});

describe('retention of records kept apart from verifications (profile §Retention)', () => {
  it('deletes one-time codes, their attempts and uses once past their period after expiry, and keeps recent ones', async () => {
    const codes = createOneTimeCodeRepository(db, keyring);
    const start = Date.now();
    const expired = await codes.issue(tenantId, 'holder-expired', ['x'], 60_000);
    await codes.check(tenantId, 'holder-expired', expired.code === '00000000' ? '00000001' : '00000000', 'by-1', ['x']);
    await codes.check(tenantId, 'holder-expired', expired.code, 'by-1', ['x']);
    await codes.issue(tenantId, 'holder-recent', ['x'], hour);
    const count = async () => ({
      codes: await db.collection(collections.oneTimeCodes).countDocuments({ tenantId }),
      attempts: await db.collection(collections.oneTimeCodeAttempts).countDocuments({ by: 'by-1' }),
      uses: await db.collection(collections.oneTimeCodeUses).countDocuments({ by: 'by-1' }),
    });
    expect(await count()).toEqual({ codes: 2, attempts: 4, uses: 1 });
    // Past the expired code's period (25 h after it expired), within the recent one's.
    const sweep = createRetentionSweeper(db, { periods, now: () => new Date(start + 30 * 60_000 + periods.oneTimeCodeMs) });
    expect(await sweep.removeOldOneTimeCodes(100)).toBe(6);
    expect(await count()).toEqual({ codes: 1, attempts: 0, uses: 0 });
    expect(await sweep.removeOldOneTimeCodes(100)).toBe(0);
  });

  it('deletes Credential Offers and their redemptions once past their period after expiry, and keeps live ones', async () => {
    const offers = createCredentialOfferRepository(db);
    const expired = await offers.create({ credentialConfigurationIds: ['x'], holderAccountId: 'holder-offer', holderAuthenticated: true, ttlMs: 60_000 });
    await offers.redeem(expired.code, { tenantId, sessionId: randomUUID(), verificationId: randomUUID() });
    const live = await offers.create({ credentialConfigurationIds: ['x'], holderAccountId: 'holder-offer', holderAuthenticated: true, ttlMs: 7 * 24 * hour });
    const sweep = createRetentionSweeper(db, { periods, now: () => new Date(Date.now() + 2 * hour) });
    expect(await sweep.removeOldCredentialOffers(100)).toBe(1);
    expect(await db.collection(collections.credentialOffers).countDocuments({ _id: { $in: [expired.offer._id, live.offer._id] } as never })).toBe(1);
    expect(await db.collection(collections.offerRedemptions).countDocuments({ _id: expired.offer._id as never })).toBe(0);
    expect(await sweep.removeOldCredentialOffers(100)).toBe(0);
  });

  it('deletes idempotency records past the replay window in bounded batches', async () => {
    const idempotency = createIdempotencyRepository(db, { retentionMs: 60_000, leaseMs: 60_000 });
    const own = `t-retention-${randomUUID()}`;
    for (let i = 0; i < 3; i += 1) await idempotency.claim({ tenantId: own, requestId: randomUUID() }, { fingerprint: 'fp', path: '/verification/status' });
    const later = new Date(Date.now() + 120_000);
    const remaining = () => db.collection(collections.idempotency).countDocuments({ tenantId: own });
    expect(await idempotency.sweepExpired(later, 2)).toBe(2);
    expect(await remaining()).toBe(1);
    await idempotency.sweepExpired(later, 2);
    expect(await remaining()).toBe(0);
  });
});
