import { randomUUID } from 'node:crypto';
import { identityEvidenceType } from '../../domain/verification-types/identity-evidence';
import { walletRiskAssessmentType } from '../../domain/verification-types/wallet-risk-assessment';
import { createInitiateRequest, generateWalletSigningKey } from '../../wallet/wallet-client-instance';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { pollUntil } from '../support/polling';
import { clientPayload, mdl } from '../support/wallet-requests';

// The admin API's review clock: the system clock moved forward by `reviewClockSkewMs`, so a test
// can let a claim expire without waiting for it (claims last the harness's 60 s).
let reviewClockSkewMs = 0;
let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness({ reviewClock: () => new Date(Date.now() + reviewClockSkewMs) });
});
afterAll(async () => {
  await h?.close();
});

const evidence = { documentType: 'PASSPORT', documentImageRefs: ['img-front-77', 'img-back-77'], selfieRef: 'selfie-77' };

/** A holder submits identity evidence: the verification is PENDING and a review case opens. */
async function submitEvidence() {
  const key = await generateWalletSigningKey();
  const issuerKey = h.issuerEncryptionKeys[0] as NonNullable<IssuerHarness['issuerEncryptionKeys'][number]>;
  const sessionId = randomUUID();
  const body = await createInitiateRequest({
    key,
    sessionId,
    credentialConfigurationIds: [mdl],
    verificationData: {
      clientEncryptedPayload: [await clientPayload(key, issuerKey, { id: 'idv-1', type: identityEvidenceType, ...evidence }, { sessionId })],
    },
  });
  const started = await h.http.post('/verification/initiate', body, { identity: h.walletA });
  expect(started.json.status).toBe('PENDING');
  const listed = await h.admin('GET', `/admin/review-cases?tenantId=${h.walletA.tenant._id}`, 'alice');
  const reviewCase = listed.json.cases.find((c: { verificationId: string }) => c.verificationId === started.json.verificationId);
  expect(reviewCase).toBeDefined();
  return { ids: { sessionId: body.sessionId, verificationId: started.json.verificationId as string }, caseId: reviewCase.caseId as string };
}

async function statusOf(ids: { sessionId: string; verificationId: string }, until: (s: string) => boolean) {
  const response = await pollUntil(
    () => h.http.post('/verification/status', ids, { identity: h.walletA }),
    (r) => until(r.json.status),
    { what: 'status change' },
  );
  return response.json;
}

describe('manual review queue and admin API (profile §Manual review)', () => {
  it('refuses requests without a valid admin token', async () => {
    expect((await h.admin('GET', '/admin/review-cases', undefined)).status).toBe(401);
  });

  it('lists a case without evidence, lets one reviewer claim it, shows the evidence to that reviewer only, and applies the decision', async () => {
    const { ids, caseId } = await submitEvidence();
    // The operator's Temporal UI query: waiting for a reviewer, with the case to open.
    const waitingForReviewer = `WorkflowType = 'verificationWorkflow' AND S2sTenantId = '${h.walletA.tenant._id}' AND S2sWaitingFor = 'REVIEWER' AND S2sWaitingSince < '${new Date(Date.now() + 60_000).toISOString()}' AND S2sReviewCaseId = '${caseId}'`;
    await pollUntil(
      async () => (await h.temporal.workflow.count(waitingForReviewer)).count,
      (count) => count === 1,
      { what: 'the verification listed as waiting for a reviewer' },
    );
    const listed = (await h.admin('GET', '/admin/review-cases', 'alice')).json.cases.find((c: { caseId: string }) => c.caseId === caseId);
    expect(JSON.stringify(listed)).not.toContain('img-front-77');

    expect((await h.admin('POST', `/admin/review-cases/${caseId}/claim`, 'alice')).status).toBe(200);
    const stolen = await h.admin('POST', `/admin/review-cases/${caseId}/claim`, 'bob');
    expect(stolen.status).toBe(409);
    expect(stolen.json.type).toBe('urn:s2s-issuer:problem:review-case-unavailable');
    expect((await h.admin('GET', `/admin/review-cases/${caseId}/evidence`, 'bob')).status).toBe(409);

    const seen = await h.admin('GET', `/admin/review-cases/${caseId}/evidence`, 'alice');
    expect(seen.status).toBe(200);
    expect(seen.json.evidence.clientItems[0]).toMatchObject({ type: identityEvidenceType, ...evidence });

    const decided = await h.admin('POST', `/admin/review-cases/${caseId}/decision`, 'alice', { outcome: 'APPROVED' });
    expect(decided.status).toBe(200);
    expect(await statusOf(ids, (s) => s !== 'PENDING')).toMatchObject({ status: 'APPROVED', credentialConfigurationIds: [mdl] });
    await pollUntil(
      async () => (await h.temporal.workflow.count(waitingForReviewer)).count,
      (count) => count === 0,
      { what: 'the approved verification no longer waiting' },
    );

    const audit = await h.admin('GET', `/admin/review-cases/${caseId}/audit`, 'alice');
    expect(audit.json.entries.map((e: { action: string; reviewerId: string }) => `${e.reviewerId}:${e.action}`)).toEqual([
      'alice:claim',
      'alice:view_evidence',
      'alice:decide',
    ]);
    expect((await h.admin('POST', `/admin/review-cases/${caseId}/decision`, 'alice', { outcome: 'DENIED', reasonCode: 'X', message: 'x' })).status).toBe(409);
  });

  it('lets a denial carry a reason code and a message for the holder', async () => {
    const { ids, caseId } = await submitEvidence();
    await h.admin('POST', `/admin/review-cases/${caseId}/claim`, 'bob');
    expect((await h.admin('POST', `/admin/review-cases/${caseId}/decision`, 'bob', { outcome: 'DENIED' })).status).toBe(400);
    await h.admin('POST', `/admin/review-cases/${caseId}/decision`, 'bob', {
      outcome: 'DENIED',
      reasonCode: 'DOCUMENT_NOT_GENUINE',
      message: 'We could not confirm your passport.',
    });
    expect(await statusOf(ids, (s) => s !== 'PENDING')).toMatchObject({
      status: 'DENIED',
      reasonCode: 'DOCUMENT_NOT_GENUINE',
      deniedMessage: 'We could not confirm your passport.',
    });
  });

  it('returns a claimed but undecided case to the queue when the claim expires', async () => {
    const { caseId } = await submitEvidence();
    await h.admin('POST', `/admin/review-cases/${caseId}/claim`, 'alice');
    const openCases = async () => (await h.admin('GET', '/admin/review-cases', 'bob')).json.cases.map((c: { caseId: string }) => c.caseId);
    expect(await openCases()).not.toContain(caseId);
    // Halfway through the claim it is still alice's; once it has ended, the case is back in the queue.
    try {
      reviewClockSkewMs = h.config.admin.claimMs / 2;
      expect(await openCases()).not.toContain(caseId);
      expect((await h.admin('POST', `/admin/review-cases/${caseId}/claim`, 'bob')).status).toBe(409);
      reviewClockSkewMs = h.config.admin.claimMs + 1;
      expect(await openCases()).toContain(caseId);
      expect((await h.admin('POST', `/admin/review-cases/${caseId}/claim`, 'bob')).status).toBe(200);
      expect((await h.admin('POST', `/admin/review-cases/${caseId}/decision`, 'alice', { outcome: 'APPROVED' })).status).toBe(409);
    } finally {
      reviewClockSkewMs = 0;
    }
  });

  it('takes a case out of the queue when its verification ends otherwise (cancelled)', async () => {
    const { ids, caseId } = await submitEvidence();
    await h.http.post('/verification/cancel', { ...ids, reason: 'USER_ABANDONED' }, { identity: h.walletA });
    const open: string[] = await pollUntil(
      async () => (await h.admin('GET', '/admin/review-cases', 'alice')).json.cases.map((c: { caseId: string }) => c.caseId),
      (ids: string[]) => !ids.includes(caseId),
      { what: 'case leaving the queue' },
    );
    expect(open).not.toContain(caseId);
    const closed = (await h.admin('GET', '/admin/review-cases?state=closed', 'alice')).json.cases.find((c: { caseId: string }) => c.caseId === caseId);
    expect(closed).toMatchObject({ state: 'closed', decision: { outcome: 'DENIED', decidedBy: 'verification-ended' } });
    expect((await h.admin('POST', `/admin/review-cases/${caseId}/claim`, 'alice')).status).toBe(409);
  });

  it('evaluates a typed entry of additionalAssessments like a Wallet Server item', async () => {
    const body = await createInitiateRequest({
      key: await generateWalletSigningKey(),
      credentialConfigurationIds: [mdl],
      verificationData: {
        additionalAssessments: [
          { type: walletRiskAssessmentType, deviceIntegrity: 'PASS', riskScore: 0.05 },
          { vendor: 'fraud-score-x', score: 12 },
        ],
      },
    });
    expect((await h.http.post('/verification/initiate', body, { identity: h.walletA })).json.status).toBe('APPROVED');
  });

  it('sends a high Wallet Server risk score to review and approves a low one directly', async () => {
    const low = await createInitiateRequest({
      key: await generateWalletSigningKey(),
      credentialConfigurationIds: [mdl],
      verificationData: { serverVerificationDataItem: [{ id: 'r', type: walletRiskAssessmentType, deviceIntegrity: 'PASS', riskScore: 0.1 } as never] },
    });
    expect((await h.http.post('/verification/initiate', low, { identity: h.walletA })).json.status).toBe('APPROVED');
    const high = await createInitiateRequest({
      key: await generateWalletSigningKey(),
      credentialConfigurationIds: [mdl],
      verificationData: { serverVerificationDataItem: [{ id: 'r', type: walletRiskAssessmentType, deviceIntegrity: 'PASS', riskScore: 0.9 } as never] },
    });
    const started = await h.http.post('/verification/initiate', high, { identity: h.walletA });
    expect(started.json.status).toBe('PENDING');
    const cases = (await h.admin('GET', '/admin/review-cases', 'alice')).json.cases;
    expect(
      cases.some((c: { verificationId: string; reasons: string[] }) => c.verificationId === started.json.verificationId && c.reasons[0]?.includes('0.9')),
    ).toBe(true);
    const failed = await createInitiateRequest({
      key: await generateWalletSigningKey(),
      credentialConfigurationIds: [mdl],
      verificationData: { serverVerificationDataItem: [{ id: 'r', type: walletRiskAssessmentType, deviceIntegrity: 'FAIL', riskScore: 0.1 } as never] },
    });
    expect((await h.http.post('/verification/initiate', failed, { identity: h.walletA })).json).toMatchObject({
      status: 'REJECTED',
      reasonCode: 'DEVICE_INTEGRITY_FAILED',
    });
  });
});

describe('verdicts from asynchronous verification providers (profile §Verdicts)', () => {
  it('moves a PENDING verification on with a provider’s verdict, and refuses one for a final verification', async () => {
    const body = await createInitiateRequest({
      key: await generateWalletSigningKey(),
      credentialConfigurationIds: [mdl],
      verificationData: { serverVerificationDataItem: [{ id: 'p', type: 'urn:s2s-issuer:verification-type:dev-pending', provider: 'doc-check-co' } as never] },
    });
    const started = await h.http.post('/verification/initiate', body, { identity: h.walletA });
    expect(started.json.status).toBe('PENDING');
    const ids = { tenantId: h.walletA.tenant._id, sessionId: body.sessionId, verificationId: started.json.verificationId };
    expect((await h.admin('POST', '/admin/verdicts', 'docCheck', { ...ids, outcome: 'ADDITIONAL_INFO_REQUIRED' })).status).toBe(400);
    const accepted = await h.admin('POST', '/admin/verdicts', 'docCheck', {
      ...ids,
      outcome: 'REJECTED',
      reasonCode: 'IMAGE_TOO_DARK',
      message: 'Retake the photo',
    });
    expect(accepted.status).toBe(202);
    const status = await statusOf({ sessionId: ids.sessionId, verificationId: ids.verificationId }, (s) => s !== 'PENDING');
    expect(status).toMatchObject({ status: 'REJECTED', reasonCode: 'IMAGE_TOO_DARK', rejectedDetails: 'Retake the photo' });

    await h.http.post('/verification/cancel', { sessionId: ids.sessionId, verificationId: ids.verificationId, reason: 'DONE' }, { identity: h.walletA });
    const late = await h.admin('POST', '/admin/verdicts', 'docCheck', { ...ids, outcome: 'APPROVED' });
    expect(late.status).toBe(409);
    expect((await h.admin('POST', '/admin/verdicts', 'docCheck', { ...ids, tenantId: 'someone-else', outcome: 'APPROVED' })).status).toBe(404);
  });
});
