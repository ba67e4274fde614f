import { writeFileSync } from 'node:fs';
import { hashAdminToken } from '../../api/admin/admin-credentials';
import { AdminCaller } from '../../api/admin/route';
import { addAdminCredential, mintAdminCredential, readAdminCredentialsFile } from '../../cli/admin-credential';
import { devPendingType } from '../../domain/verification-types/development';
import { walletRiskAssessmentType } from '../../domain/verification-types/wallet-risk-assessment';
import type { AdminAuditRecord } from '../../store/admin-audit';
import { collections } from '../../store/mongo';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { pollUntil } from '../support/polling';
import { mdl } from '../support/wallet-requests';
import { createWalletInstance } from '../support/wallet-server';

/**
 * Admin credentials (profile §16 Admin credentials): one role per credential, checked by the
 * admin router; providers speak only for themselves and only on verifications that asked them;
 * credentials expire and rotate without a restart; failures are throttled; writes are audited.
 */
const authFailureLimit = 12;
let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness({ adminAuthFailureLimit: authFailureLimit });
});
afterAll(async () => {
  await h?.close();
});

const newWallet = () =>
  createWalletInstance({
    http: h.http,
    identity: h.walletA,
    issuerKey: h.issuerEncryptionKeys[0] as NonNullable<IssuerHarness['issuerEncryptionKeys'][number]>,
  });

/** A verification waiting (PENDING) for the verdict of `provider`. */
async function waitingFor(provider: string) {
  const wallet = await newWallet();
  const started = await wallet.initiate({ credentialConfigurationIds: [mdl], server: [{ id: 'doc', type: devPendingType, provider }] });
  expect(started.json.status).toBe('PENDING');
  return { wallet, ref: { tenantId: h.walletA.tenant._id, ...wallet.ids } };
}

/** A verification in the review queue (a high Wallet Server risk score), and its case. */
async function inReview() {
  const wallet = await newWallet();
  const started = await wallet.initiate({
    credentialConfigurationIds: [mdl],
    server: [{ id: 'risk', type: walletRiskAssessmentType, deviceIntegrity: 'PASS', riskScore: 0.9 }],
  });
  expect(started.json.status).toBe('PENDING');
  const cases = (await h.admin('GET', '/admin/review-cases', 'alice')).json.cases as { caseId: string; verificationId: string }[];
  const found = cases.find((c) => c.verificationId === wallet.ids.verificationId);
  if (!found) throw new Error('no review case');
  return { wallet, caseId: found.caseId };
}

const auditRecords = () => h.db.collection<AdminAuditRecord>(collections.adminAudit).find({}).toArray();
const offerBody = { credentialConfigurationIds: [mdl], holderAccountId: 'account-5', holderAuthenticated: true };

/** Waits until the listener has read the credentials file again (its recheck is 100 ms in the harness). */
async function untilAccepted(token: string) {
  await pollUntil(
    () => h.adminWithToken('GET', '/admin/review-cases', token),
    (r) => r.status === 200,
    { what: 'the new credential to be accepted' },
  );
}

describe('roles (profile §16 Admin credentials)', () => {
  it('refuses a reviewer credential on the verdict, offer, one-time code and sign-in routes, and writes nothing', async () => {
    const { ref } = await waitingFor('doc-check-co');
    const before = await h.db.collection(collections.credentialOffers).countDocuments();
    const answers = [
      await h.admin('POST', '/admin/verdicts', 'alice', { ...ref, provider: 'doc-check-co', outcome: 'APPROVED' }),
      await h.admin('POST', '/admin/credential-offers', 'alice', offerBody),
      await h.admin('POST', '/admin/one-time-codes', 'alice', {
        tenantId: h.walletA.tenant._id,
        holderAccountId: 'account-5',
        credentialConfigurationIds: [mdl],
      }),
      await h.admin('POST', '/admin/issuer-authentications', 'alice', { handle: 'h'.repeat(43), holderAccountId: 'account-5' }),
    ];
    expect(answers.map((a) => [a.status, a.json.type])).toEqual(Array(4).fill([403, 'urn:s2s-issuer:problem:admin-role-forbidden']));
    expect(await h.db.collection(collections.credentialOffers).countDocuments()).toBe(before);
    const status = await h.http.post('/verification/status', { sessionId: ref.sessionId, verificationId: ref.verificationId }, { identity: h.walletA });
    expect(status.json.status).toBe('PENDING');
  });

  it('refuses a provider or back-office credential on the review queue: list, claim, evidence, decision', async () => {
    const { caseId } = await inReview();
    for (const caller of ['docCheck', 'backOffice', 'signIn'] as const) {
      const answers = [
        await h.admin('GET', '/admin/review-cases', caller),
        await h.admin('POST', `/admin/review-cases/${caseId}/claim`, caller),
        await h.admin('GET', `/admin/review-cases/${caseId}/evidence`, caller),
        await h.admin('POST', `/admin/review-cases/${caseId}/decision`, caller, { outcome: 'APPROVED' }),
      ];
      expect(answers.map((a) => a.status)).toEqual([403, 403, 403, 403]);
    }
    const reviewCase = (await h.admin('GET', '/admin/review-cases', 'alice')).json.cases.find((c: { caseId: string }) => c.caseId === caseId);
    expect(reviewCase).toMatchObject({ state: 'open' });
    expect(reviewCase.claimedBy).toBeUndefined();
  });
});

describe('provider verdicts (profile §12 Verdicts)', () => {
  it('takes the provider from the credential: a body naming another provider is refused, and the accepted verdict names the credential’s', async () => {
    const { wallet, ref } = await waitingFor('doc-check-co');
    const impersonating = await h.admin('POST', '/admin/verdicts', 'registry', { ...ref, provider: 'doc-check-co', outcome: 'APPROVED' });
    expect(impersonating.status).toBe(403);
    expect(impersonating.json.type).toBe('urn:s2s-issuer:problem:verdict-not-requested');
    const misnamed = await h.admin('POST', '/admin/verdicts', 'docCheck', { ...ref, provider: 'registry-co', outcome: 'APPROVED' });
    expect(misnamed.status).toBe(403);
    expect((await wallet.status()).json.status).toBe('PENDING');

    const accepted = await h.admin('POST', '/admin/verdicts', 'docCheck', { ...ref, outcome: 'APPROVED' });
    expect(accepted.status).toBe(202);
    expect(accepted.json.provider).toBe('doc-check-co');
    expect(await wallet.statusAfter('PENDING')).toMatchObject({ status: 'APPROVED' });
  });

  it('refuses a verdict on a verification that did not ask that provider, or asked none', async () => {
    const { wallet, ref } = await waitingFor('registry-co');
    const refused = await h.admin('POST', '/admin/verdicts', 'docCheck', { ...ref, outcome: 'APPROVED' });
    expect(refused.status).toBe(403);
    expect(refused.json.type).toBe('urn:s2s-issuer:problem:verdict-not-requested');

    const { wallet: reviewed } = await inReview();
    const noProvider = await h.admin('POST', '/admin/verdicts', 'docCheck', { tenantId: h.walletA.tenant._id, ...reviewed.ids, outcome: 'APPROVED' });
    expect(noProvider.status).toBe(403);

    expect((await wallet.status()).json.status).toBe('PENDING');
    expect((await reviewed.status()).json.status).toBe('PENDING');
    expect((await h.admin('POST', '/admin/verdicts', 'registry', { ...ref, outcome: 'APPROVED' })).status).toBe(202);
  });
});

describe('provider verdicts only while PENDING', () => {
  it('refuses a verdict on a REJECTED verification (an item failed) even from a provider it asked, with 409', async () => {
    const wallet = await newWallet();
    const started = await wallet.initiate({
      credentialConfigurationIds: [mdl],
      server: [
        { id: 'doc', type: devPendingType, provider: 'doc-check-co' },
        { id: 'risk', type: walletRiskAssessmentType, deviceIntegrity: 'FAIL', riskScore: 0.1 },
      ],
    });
    expect(started.json).toMatchObject({ status: 'REJECTED', reasonCode: 'DEVICE_INTEGRITY_FAILED' });
    const refused = await h.admin('POST', '/admin/verdicts', 'docCheck', { tenantId: h.walletA.tenant._id, ...wallet.ids, outcome: 'APPROVED' });
    expect(refused.status).toBe(409);
    expect(refused.json.type).toBe('urn:s2s-issuer:problem:verification-not-pending');
    expect((await wallet.status()).json.status).toBe('REJECTED');
  });
});

describe('audit and logs', () => {
  it('every admin write leaves an audit record naming the actor and its role, without codes or tokens', async () => {
    const { ref } = await waitingFor('doc-check-co');
    expect((await h.admin('POST', '/admin/verdicts', 'docCheck', { ...ref, outcome: 'APPROVED' })).status).toBe(202);
    const { caseId } = await inReview();
    expect((await h.admin('POST', `/admin/review-cases/${caseId}/claim`, 'bob')).status).toBe(200);
    expect((await h.admin('POST', `/admin/review-cases/${caseId}/decision`, 'bob', { outcome: 'APPROVED' })).status).toBe(200);
    const offer = await h.admin('POST', '/admin/credential-offers', 'backOffice', offerBody);
    expect(offer.status).toBe(201);
    const code = await h.admin('POST', '/admin/one-time-codes', 'backOffice', {
      tenantId: h.walletA.tenant._id,
      holderAccountId: 'account-5',
      credentialConfigurationIds: [mdl],
    });
    expect(code.status).toBe(201);
    const signIn = await newWallet();
    const started = await signIn.initiate({
      credentialConfigurationIds: [mdl],
      client: [{ id: 'login', type: 'urn:s2s-issuer:verification-type:issuer-authentication' }],
    });
    const handle = new URL(started.json.verificationDataRequest.verificationDataItems[0].extensions['urn:s2s-issuer:authentication-url']).searchParams.get(
      'handle',
    );
    expect((await h.admin('POST', '/admin/issuer-authentications', 'signIn', { handle, holderAccountId: 'account-5' })).status).toBe(200);
    // A refused write is audited too.
    expect((await h.admin('POST', `/admin/review-cases/${caseId}/decision`, 'bob', { outcome: 'APPROVED' })).status).toBe(409);

    const records = await auditRecords();
    const find = (action: string, actorId: string, status: number, about?: [string, string]) =>
      records.find((r) => r.action === action && r.actorId === actorId && r.status === status && (!about || r.target[about[0]] === about[1]));
    expect(find('POST /verdicts', 'doc-check-co', 202, ['verificationId', ref.verificationId])).toMatchObject({
      actorRole: 'provider',
      actorProvider: 'doc-check-co',
      target: { verificationId: ref.verificationId, outcome: 'APPROVED' },
    });
    expect(find('POST /review-cases/:caseId/claim', 'bob', 200)).toMatchObject({ actorRole: 'reviewer', target: { caseId } });
    expect(find('POST /review-cases/:caseId/decision', 'bob', 200)).toMatchObject({ actorRole: 'reviewer', target: { caseId, outcome: 'APPROVED' } });
    expect(find('POST /review-cases/:caseId/decision', 'bob', 409)).toMatchObject({ target: { caseId } });
    expect(find('POST /credential-offers', 'back-office-1', 201)).toMatchObject({
      actorRole: 'back-office',
      target: { holderAuthenticated: true, credentialConfigurationIds: [mdl] },
    });
    expect(find('POST /one-time-codes', 'back-office-1', 201)).toMatchObject({ actorRole: 'back-office' });
    expect(find('POST /issuer-authentications', 'sign-in-surface-1', 200)).toMatchObject({
      actorRole: 'issuer-sign-in',
      target: { sessionId: signIn.ids.sessionId, verificationId: signIn.ids.verificationId },
    });

    const stored = JSON.stringify(records);
    const preAuthorizedCode = offer.json.credential_offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']['pre-authorized_code'];
    for (const secret of [preAuthorizedCode, code.json.code, handle, 'account-5', ...Object.values(h.adminTokens)]) expect(stored).not.toContain(secret);
  });

  it('logs the acting admin on every admin request, and never the bearer token', async () => {
    const marker = `/admin/review-cases?tenantId=log-${Date.now()}`;
    expect((await h.admin('GET', marker, 'alice')).status).toBe(200);
    expect((await h.admin('GET', marker, 'docCheck')).status).toBe(403);
    const lines = h.apiLogs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.path === '/admin/review-cases' && l.msg === 'request');
    expect(lines.some((l) => l.actorId === 'alice' && l.actorRole === 'reviewer' && l.status === 200)).toBe(true);
    expect(lines.some((l) => l.actorId === 'doc-check-co' && l.actorRole === 'provider' && l.status === 403)).toBe(true);
    const logs = h.apiLogs.join('\n');
    for (const token of Object.values(h.adminTokens)) expect(logs).not.toContain(token);
  });
});

describe('credential lifetime', () => {
  it('picks up a changed credentials file without a restart: a new credential works, a removed one stops working', async () => {
    const carol = mintAdminCredential({ id: 'carol', role: AdminCaller.reviewer, days: 1 });
    expect((await h.adminWithToken('GET', '/admin/review-cases', carol.token)).status).toBe(401);
    addAdminCredential(h.adminCredentialsFile, carol.entry);
    await untilAccepted(carol.token);

    // Rolling rotation: a second token for carol, then the first one is removed.
    const next = mintAdminCredential({ id: 'carol', role: AdminCaller.reviewer, days: 1 });
    const current = readAdminCredentialsFile(h.adminCredentialsFile).credentials;
    writeFileSync(h.adminCredentialsFile, JSON.stringify({ credentials: [...current.filter((c) => c.tokenSha256 !== carol.entry.tokenSha256), next.entry] }));
    await untilAccepted(next.token);
    expect((await h.adminWithToken('GET', '/admin/review-cases', carol.token)).status).toBe(401);
  });

  it('refuses an expired credential and a token shorter than 43 characters, even with their hashes on file', async () => {
    const expired = mintAdminCredential({ id: 'dave', role: AdminCaller.reviewer, days: 1 });
    const short = 'S'.repeat(42);
    const marker = mintAdminCredential({ id: 'erin', role: AdminCaller.reviewer, days: 1 });
    const current = readAdminCredentialsFile(h.adminCredentialsFile).credentials;
    writeFileSync(
      h.adminCredentialsFile,
      JSON.stringify({
        credentials: [
          ...current,
          { ...expired.entry, notAfter: new Date(Date.now() - 1000).toISOString() },
          { id: 'frank', role: 'reviewer', tokenSha256: hashAdminToken(short), notAfter: new Date(Date.now() + 86_400_000).toISOString() },
          marker.entry,
        ],
      }),
    );
    await untilAccepted(marker.token);
    for (const token of [expired.token, short]) {
      const refused = await h.adminWithToken('GET', '/admin/review-cases', token);
      expect(refused.status).toBe(401);
      expect(refused.json.type).toBe('urn:s2s-issuer:problem:unauthenticated-admin');
    }
  });

  // Last: it leaves this harness's address throttled.
  it('answers 429 with Retry-After after repeated failed authentications, even to a valid token', async () => {
    const first = await h.adminWithToken('GET', '/admin/review-cases', 'wrong-'.repeat(8));
    expect(first.status).toBe(401);
    let attempts = 1;
    let answer = first;
    while (answer.status === 401 && attempts <= authFailureLimit) {
      answer = await h.adminWithToken('GET', '/admin/review-cases', 'wrong-'.repeat(8));
      attempts += 1;
    }
    expect(answer.status).toBe(429);
    expect(answer.json.type).toBe('urn:s2s-issuer:problem:admin-authentication-throttled');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    const valid = await h.admin('GET', '/admin/review-cases', 'alice');
    expect(valid.status).toBe(429);
  });
});
