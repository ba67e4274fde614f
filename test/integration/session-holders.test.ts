import { randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { generateDataKeyringJson, parseDataKeyring } from '../../crypto/data-encryption';
import { createCredentialOfferRepository } from '../../store/credential-offers';
import { createDeviceMigrationRepository } from '../../store/device-migrations';
import { createEvaluatorPorts } from '../../store/evaluator-ports';
import { createIssuerAuthenticationRepository } from '../../store/issuer-authentications';
import { createOneTimeCodeRepository } from '../../store/one-time-codes';
import { createSessionHolderRepository } from '../../store/session-holders';
import { createVerificationSessionRepository, sessionDocumentId } from '../../store/verification-sessions';
import { connectTestDatabase } from '../support/test-database';

/** Session → holder (profile §Credential configurations) against the real MongoDB-wire server. */
let mongo: MongoClient;
let db: Db;
const otpKeyring = parseDataKeyring(generateDataKeyringJson('otp-1'), 'test');
beforeAll(async () => {
  ({ client: mongo, db } = await connectTestDatabase('holders'));
});
afterAll(async () => {
  await mongo?.close();
});

const tenantId = 'tenant-holders';
const holders = () => createSessionHolderRepository(db);

/** A session whose first verification has reached `status`. */
async function sessionWith(status: 'APPROVED' | 'PENDING', sessionId = randomUUID()) {
  const sessions = createVerificationSessionRepository(db);
  const verificationId = randomUUID();
  await sessions.create({
    tenantId,
    sessionId,
    verificationId,
    initiatedBy: { requestId: randomUUID(), fingerprint: 'fp' },
    credentialConfigurationIds: ['org.iso.18013.5.1.mDL'],
    walletSigningKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', alg: 'ES256' },
    requestedDeviceCount: 2,
  });
  if (status === 'APPROVED') {
    await sessions.recordDecision(
      { tenantId, sessionId },
      verificationId,
      { status: 'APPROVED', credentialConfigurationIds: ['org.iso.18013.5.1.mDL'], authorizedDeviceCount: 2 },
      1,
    );
  }
  return { tenantId, sessionId, verificationId };
}

describe('session → holder', () => {
  it('names the holder of an APPROVED verification, also when the evidence was recorded twice (a retry)', async () => {
    const ref = await sessionWith('APPROVED');
    await holders().recordHolder(ref, 'test-holder-erika', 'credential-offer');
    await holders().recordHolder(ref, 'test-holder-erika', 'credential-offer');
    expect(await holders().holderOfSession(ref)).toEqual({ outcome: 'holder', holderAccountId: 'test-holder-erika', verificationId: ref.verificationId });
  });

  it('names no holder before the verification is APPROVED, nor for an unknown session', async () => {
    const ref = await sessionWith('PENDING');
    await holders().recordHolder(ref, 'test-holder-erika', 'one-time-code');
    expect(await holders().holderOfSession(ref)).toEqual({ outcome: 'not_approved' });
    expect(await holders().holderOfSession({ tenantId, sessionId: randomUUID() })).toEqual({ outcome: 'not_approved' });
  });

  it('refuses to choose when evidence named two accounts, and knows none when nothing named one', async () => {
    const twice = await sessionWith('APPROVED');
    await holders().recordHolder(twice, 'test-holder-erika', 'credential-offer');
    await holders().recordHolder(twice, 'test-holder-max', 'one-time-code');
    expect(await holders().holderOfSession(twice)).toEqual({ outcome: 'ambiguous' });
    expect(await holders().holderOfSession(await sessionWith('APPROVED'))).toEqual({ outcome: 'no_holder' });
  });

  it('gives a migrated session the holder of the session it migrated from (profile §18)', async () => {
    const original = await sessionWith('APPROVED');
    await holders().recordHolder(original, 'test-holder-jan', 'issuer-authentication');
    const migrated = await sessionWith('APPROVED');
    await createDeviceMigrationRepository(db).claimSlot(sessionDocumentId(original), tenantId, migrated.sessionId, 2);
    expect(await holders().holderOfSession(migrated)).toEqual({
      outcome: 'holder',
      holderAccountId: 'test-holder-jan',
      verificationId: migrated.verificationId,
    });
  });

  it('records the account of a redeemed Credential Offer and of an accepted one-time code through the evaluator ports', async () => {
    const ports = createEvaluatorPorts(db, { otpKeyring });
    const byOffer = await sessionWith('APPROVED');
    const { code } = await createCredentialOfferRepository(db).create({
      credentialConfigurationIds: ['org.iso.18013.5.1.mDL'],
      holderAccountId: 'test-holder-erika',
      holderAuthenticated: true,
      ttlMs: 60_000,
    });
    expect((await ports.offers.redeem(code, byOffer)).outcome).toBe('redeemed');
    expect(await holders().holdersOfVerification(byOffer)).toEqual(['test-holder-erika']);

    const byCode = await sessionWith('APPROVED');
    const issued = await createOneTimeCodeRepository(db, otpKeyring).issue(tenantId, 'test-holder-max', ['org.iso.18013.5.1.mDL'], 60_000);
    const wrong = issued.code === '00000000' ? '00000001' : '00000000';
    const by = `${tenantId}/${byCode.sessionId}/${byCode.verificationId}`;
    expect(await ports.oneTimeCodes.check(tenantId, 'test-holder-max', wrong, by, ['org.iso.18013.5.1.mDL'])).toBe('incorrect');
    expect(await holders().holdersOfVerification(byCode)).toEqual([]);
    expect(await ports.oneTimeCodes.check(tenantId, 'test-holder-max', issued.code, by, ['org.iso.18013.5.1.mDL'])).toBe('accepted');
    expect(await holders().holdersOfVerification(byCode)).toEqual(['test-holder-max']);
  });

  it('records the account the holder signed in to at the issuer surface (profile §21)', async () => {
    const ref = await sessionWith('APPROVED');
    const authentications = createIssuerAuthenticationRepository(db);
    const handle = await authentications.begin(ref, 60_000);
    expect(await authentications.complete(handle, 'test-holder-jan')).toEqual({ ref });
    expect(await authentications.complete(handle, 'test-holder-erika')).toEqual({ refused: 'completed' });
    // The refused second completion named another account: it is not recorded.
    expect(await holders().holderOfSession(ref)).toEqual({ outcome: 'holder', holderAccountId: 'test-holder-jan', verificationId: ref.verificationId });
  });
});
