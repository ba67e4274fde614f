import { devApproveType } from '../../domain/verification-types/development';
import { deviceMigrationType } from '../../domain/verification-types/device-migration';
import { identityEvidenceType } from '../../domain/verification-types/identity-evidence';
import { preAuthorizedCodeType } from '../../domain/verification-types/pre-authorized-code';
import { walletRiskAssessmentType } from '../../domain/verification-types/wallet-risk-assessment';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { mdl } from '../support/wallet-requests';
import { createWalletInstance } from '../support/wallet-server';
import { createCredentialIssuer } from '../support/sd-jwt-vc-issuer';

/** The five engagement flows of S2S §Verification Flow Examples, end to end over mTLS. */
let h: IssuerHarness;
let pidProvider: Awaited<ReturnType<typeof createCredentialIssuer>>;
beforeAll(async () => {
  pidProvider = await createCredentialIssuer();
  h = await startIssuerHarness({ trustedIssuers: [pidProvider.trusted] });
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
const evidence = { documentType: 'DRIVING_LICENCE', documentImageRefs: ['front-1'], selfieRef: 'selfie-1' };
const lowRisk = { id: 'risk', type: walletRiskAssessmentType, deviceIntegrity: 'PASS', riskScore: 0.05 };

async function reviewerApproves(verificationId: string) {
  const cases = (await h.admin('GET', '/admin/review-cases', 'alice')).json.cases as { caseId: string; verificationId: string }[];
  const reviewCase = cases.find((c) => c.verificationId === verificationId);
  if (!reviewCase) throw new Error('no review case');
  expect((await h.admin('POST', `/admin/review-cases/${reviewCase.caseId}/claim`, 'alice')).status).toBe(200);
  expect((await h.admin('POST', `/admin/review-cases/${reviewCase.caseId}/decision`, 'alice', { outcome: 'APPROVED' })).status).toBe(200);
}

async function createOffer(holderAuthenticated: boolean, credentialConfigurationIds = [mdl]) {
  const response = await h.admin('POST', '/admin/credential-offers', 'backOffice', {
    credentialConfigurationIds,
    holderAccountId: 'account-991',
    holderAuthenticated,
  });
  expect(response.status).toBe(201);
  return response.json.credential_offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']['pre-authorized_code'] as string;
}

describe('engagement flows (S2S §Verification Flow Examples)', () => {
  it('1. Wallet initiated, preknown verification data: approved on initiate and notified', async () => {
    const wallet = await newWallet();
    const started = await wallet.initiate({ credentialConfigurationIds: [mdl], server: [lowRisk] });
    expect(started.json.status).toBe('APPROVED');
    await h.receiver.waitFor((n) => n.body.verificationId === wallet.ids.verificationId && n.body.status === 'APPROVED');
  });

  it('2. Wallet initiated, negotiated: ADDITIONAL_INFO_REQUIRED → supplement → review → APPROVED', async () => {
    const wallet = await newWallet();
    const started = await wallet.initiate({ credentialConfigurationIds: [mdl] });
    expect(started.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
    const offeredTypes = started.json.verificationDataRequest.verificationDataItems.map((i: { type: string }) => i.type);
    expect(offeredTypes).toContain(identityEvidenceType);

    const supplemented = await wallet.supplement({ client: [{ id: 'idv', type: identityEvidenceType, ...evidence }] });
    expect(supplemented.json.status).toBe('PENDING');
    await reviewerApproves(wallet.ids.verificationId);
    expect(await wallet.statusAfter('PENDING')).toMatchObject({ status: 'APPROVED', credentialConfigurationIds: [mdl] });
  });

  it('3. Issuer initiated, authenticated holder: the offer’s pre-authorized code approves, once', async () => {
    const code = await createOffer(true);
    const wallet = await newWallet();
    const started = await wallet.initiate({
      credentialConfigurationIds: [mdl],
      client: [{ id: 'offer', type: preAuthorizedCodeType, preAuthorizedCode: code }],
    });
    expect(started.json.status).toBe('APPROVED');

    const replay = await (
      await newWallet()
    ).initiate({ credentialConfigurationIds: [mdl], client: [{ id: 'offer', type: preAuthorizedCodeType, preAuthorizedCode: code }] });
    expect(replay.json).toMatchObject({ status: 'REJECTED', reasonCode: 'CODE_USED' });
  });

  it('3b. refuses a code that does not cover the requested configuration', async () => {
    const code = await createOffer(true, ['eu.europa.ec.eudi.pid.1']);
    const started = await (
      await newWallet()
    ).initiate({ credentialConfigurationIds: [mdl], client: [{ id: 'offer', type: preAuthorizedCodeType, preAuthorizedCode: code }] });
    expect(started.json).toMatchObject({ status: 'REJECTED', reasonCode: 'CODE_NOT_FOR_CONFIGURATION' });
  });

  it('4. Issuer initiated, unauthenticated holder: the offer leads to proofing, then review, then APPROVED', async () => {
    const code = await createOffer(false);
    const wallet = await newWallet();
    const started = await wallet.initiate({
      credentialConfigurationIds: [mdl],
      client: [{ id: 'offer', type: preAuthorizedCodeType, preAuthorizedCode: code }],
    });
    expect(started.json).toMatchObject({
      status: 'ADDITIONAL_INFO_REQUIRED',
      verificationDataRequest: { verificationDataItems: [{ type: identityEvidenceType, required: true }] },
    });
    const supplemented = await wallet.supplement({ client: [{ id: 'offer-proofing', type: identityEvidenceType, ...evidence }] });
    expect(supplemented.json.status).toBe('PENDING');
    await reviewerApproves(wallet.ids.verificationId);
    expect((await wallet.statusAfter('PENDING')).status).toBe('APPROVED');
  });

  it('5. Device migration: a new instance is approved from an approved session, within authorizedDeviceCount', async () => {
    const original = await newWallet();
    const approved = await original.initiate({ credentialConfigurationIds: [mdl], client: [{ id: 'ok', type: devApproveType }], requestedDeviceCount: 2 });
    expect(approved.json).toMatchObject({ status: 'APPROVED', authorizedDeviceCount: 2 });

    const migrate = async () =>
      (await newWallet()).initiate({
        credentialConfigurationIds: [mdl],
        server: [{ id: 'mig', type: deviceMigrationType, previousSessionId: original.ids.sessionId }],
      });
    expect((await migrate()).json.status).toBe('APPROVED');
    expect((await migrate()).json).toMatchObject({ status: 'REJECTED', reasonCode: 'DEVICE_LIMIT_REACHED' });
  });

  it('5b. refuses to migrate from another Wallet Server’s session', async () => {
    const original = await newWallet();
    await original.initiate({ credentialConfigurationIds: [mdl], client: [{ id: 'ok', type: devApproveType }], requestedDeviceCount: 2 });
    const other = await createWalletInstance({
      http: h.http,
      identity: h.walletB,
      issuerKey: h.issuerEncryptionKeys[0] as NonNullable<IssuerHarness['issuerEncryptionKeys'][number]>,
    });
    const started = await other.initiate({
      credentialConfigurationIds: [mdl],
      server: [{ id: 'mig', type: deviceMigrationType, previousSessionId: original.ids.sessionId }],
    });
    expect(started.json).toMatchObject({ status: 'REJECTED', reasonCode: 'MIGRATION_SOURCE_NOT_APPROVED' });
  });
});

describe('one-time codes through the issuer’s channel (profile §One-time codes)', () => {
  async function issueCode(holderAccountId: string, tenantId = h.walletA.tenant._id) {
    const response = await h.admin('POST', '/admin/one-time-codes', 'backOffice', { tenantId, holderAccountId, credentialConfigurationIds: [mdl] });
    expect(response.status).toBe(201);
    return response.json.code as string;
  }

  it('approves with the code the issuer delivered, after a wrong try, and refuses it after too many', async () => {
    const account = `acct-${Date.now()}`;
    const code = await issueCode(account);
    const wallet = await newWallet();
    const wrong = code === '00000000' ? '00000001' : '00000000';
    const first = await wallet.initiate({
      credentialConfigurationIds: [mdl],
      client: [{ id: 'otp', type: 'urn:s2s-issuer:verification-type:one-time-code', holderAccountId: account, code: wrong }],
    });
    expect(first.json).toMatchObject({ status: 'REJECTED', reasonCode: 'OTP_INVALID' });
    const second = await wallet.supplement({
      client: [{ id: 'otp-2', type: 'urn:s2s-issuer:verification-type:one-time-code', holderAccountId: account, code }],
    });
    expect(second.json.status).toBe('APPROVED');

    const locked = `acct-locked-${Date.now()}`;
    const lockedCode = await issueCode(locked);
    // Five wrong guesses, from as many sessions, lock the code for everyone.
    for (let i = 0; i < 5; i += 1) {
      const guess = await (
        await newWallet()
      ).initiate({
        credentialConfigurationIds: [mdl],
        client: [{ id: `g${i}`, type: 'urn:s2s-issuer:verification-type:one-time-code', holderAccountId: locked, code: wrong }],
      });
      expect(guess.json.reasonCode).toBe('OTP_INVALID');
    }
    const other = await (
      await newWallet()
    ).initiate({
      credentialConfigurationIds: [mdl],
      client: [{ id: 'late', type: 'urn:s2s-issuer:verification-type:one-time-code', holderAccountId: locked, code: lockedCode }],
    });
    // Locked: the right code is refused now, with the same reason code as any other refusal.
    expect(other.json).toMatchObject({ status: 'REJECTED', reasonCode: 'OTP_INVALID' });
  });

  it('refuses a code issued for another Wallet Server, with the reason code of an unknown one', async () => {
    const account = `acct-other-${Date.now()}`;
    const code = await issueCode(account, h.walletB.tenant._id);
    const refused = await (
      await newWallet()
    ).initiate({
      credentialConfigurationIds: [mdl],
      client: [{ id: 'otp', type: 'urn:s2s-issuer:verification-type:one-time-code', holderAccountId: account, code }],
    });
    expect(refused.json).toMatchObject({ status: 'REJECTED', reasonCode: 'OTP_INVALID' });
  });

  it('refuses to issue a code without naming the Wallet Server it is for', async () => {
    const response = await h.admin('POST', '/admin/one-time-codes', 'backOffice', { holderAccountId: 'acct', credentialConfigurationIds: [mdl] });
    expect(response.status).toBe(400);
  });
});

describe('issuer-surface authentication bound to the session (profile §Issuer-surface authentication)', () => {
  it('gives the wallet a login URL with a one-time handle; the issuer’s surface completes it and the verification is approved', async () => {
    const wallet = await newWallet();
    const started = await wallet.initiate({
      credentialConfigurationIds: [mdl],
      client: [{ id: 'login', type: 'urn:s2s-issuer:verification-type:issuer-authentication' }],
    });
    expect(started.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
    const [requested] = started.json.verificationDataRequest.verificationDataItems;
    const url = new URL(requested.extensions['urn:s2s-issuer:authentication-url']);
    const handle = url.searchParams.get('handle') as string;
    expect(handle.length).toBeGreaterThanOrEqual(43);

    const completed = await h.admin('POST', '/admin/issuer-authentications', 'signIn', { handle, holderAccountId: 'account-7' });
    expect(completed.json).toEqual({ sessionId: wallet.ids.sessionId, verificationId: wallet.ids.verificationId, authenticated: true });
    expect(await wallet.statusAfter('ADDITIONAL_INFO_REQUIRED')).toMatchObject({ status: 'APPROVED' });
    expect((await h.admin('POST', '/admin/issuer-authentications', 'signIn', { handle, holderAccountId: 'account-7' })).status).toBe(409);
    expect((await h.admin('POST', '/admin/issuer-authentications', 'signIn', { handle: 'x'.repeat(43), holderAccountId: 'a' })).status).toBe(409);
  });
});

describe('presentation of an existing credential (profile §Verification types)', () => {
  it('approves on an SD-JWT VC from a trusted issuer, key-bound to this verification, and refuses one bound to another', async () => {
    const wallet = await newWallet();
    const started = await wallet.initiate({ credentialConfigurationIds: [mdl] });
    expect(started.json.status).toBe('ADDITIONAL_INFO_REQUIRED');

    const elsewhere = await pidProvider.present({ aud: 'https://issuer.test', nonce: 'another-verification' });
    const refused = await wallet.supplement({
      client: [{ id: 'pid-0', type: 'urn:s2s-issuer:verification-type:credential-presentation', presentation: elsewhere }],
    });
    expect(refused.json).toMatchObject({ status: 'REJECTED', reasonCode: 'PRESENTATION_INVALID_PRESENTATION' });

    const presentation = await pidProvider.present({ aud: 'https://issuer.test', nonce: wallet.ids.verificationId });
    const approved = await wallet.supplement({ client: [{ id: 'pid-1', type: 'urn:s2s-issuer:verification-type:credential-presentation', presentation }] });
    expect(approved.json.status).toBe('APPROVED');
  });
});
