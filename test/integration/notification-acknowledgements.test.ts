import { randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { collections } from '../../store/mongo';
import { createVerificationSessionRepository, type NewVerification } from '../../store/verification-sessions';
import { connectTestDatabase } from '../support/test-database';

/**
 * What the notifier records for reconciliation (S2S §Verification Notification): the version a
 * Wallet Server acknowledged and notifications given up, against the real MongoDB-wire server.
 */
let mongo: MongoClient;
let db: Db;
beforeAll(async () => {
  ({ client: mongo, db } = await connectTestDatabase('acks'));
});
afterAll(async () => {
  await mongo?.close();
});

const tenantId = 'tenant-acks';
const approved = { status: 'APPROVED' as const, credentialConfigurationIds: ['x'] };

async function verificationAt(statusVersion: number) {
  const sessions = createVerificationSessionRepository(db);
  const verification: NewVerification = {
    tenantId,
    sessionId: randomUUID(),
    verificationId: randomUUID(),
    initiatedBy: { requestId: randomUUID(), fingerprint: 'fp' },
    credentialConfigurationIds: ['x'],
    walletSigningKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', alg: 'ES256' },
    requestedDeviceCount: 1,
  };
  await sessions.create(verification);
  for (let version = 1; version <= statusVersion; version += 1) await sessions.recordDecision(verification, verification.verificationId, approved, version);
  return { key: { tenantId, sessionId: verification.sessionId }, verificationId: verification.verificationId };
}

async function stored(key: { sessionId: string }, verificationId: string) {
  const document = await db.collection(collections.verificationSessions).findOne({ _id: `${tenantId}/${key.sessionId}` } as object);
  return (document?.verifications as Record<string, { notifiedStatusVersion?: number; abandonedNotificationVersion?: number }>)[verificationId];
}

describe('notification acknowledgements', () => {
  const sessions = () => createVerificationSessionRepository(db);

  it('keeps the highest version acknowledged when acknowledgements arrive late or twice', async () => {
    const { key, verificationId } = await verificationAt(3);
    // One after the other, out of order: a late attempt's acknowledgement never lowers the version.
    // (Simultaneous updates of one document are atomic on MongoDB but not on FerretDB, where $max
    // is a read-modify-write; a lost acknowledgement there only means one notification resent.)
    for (const version of [3, 1, 2, 3, 2]) await sessions().recordNotificationDelivered(key, verificationId, version);
    expect(await stored(key, verificationId)).toMatchObject({ notifiedStatusVersion: 3 });
  });

  it('lists verifications whose newest status was never acknowledged after a notification was given up', async () => {
    const before = await verificationAt(2);
    await sessions().recordNotificationAbandoned(before.key, before.verificationId, 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const since = new Date();

    const neverAcknowledged = await verificationAt(2);
    await sessions().recordNotificationAbandoned(neverAcknowledged.key, neverAcknowledged.verificationId, 2);
    const olderAcknowledged = await verificationAt(3);
    await sessions().recordNotificationDelivered(olderAcknowledged.key, olderAcknowledged.verificationId, 1);
    await sessions().recordNotificationAbandoned(olderAcknowledged.key, olderAcknowledged.verificationId, 3);
    const caughtUp = await verificationAt(2);
    await sessions().recordNotificationAbandoned(caughtUp.key, caughtUp.verificationId, 1);
    await sessions().recordNotificationDelivered(caughtUp.key, caughtUp.verificationId, 2);
    const neverGivenUp = await verificationAt(2);

    const listed = await sessions().listUnacknowledgedNotifications({ since, limit: 100 });
    const mine = new Set([before, neverAcknowledged, olderAcknowledged, caughtUp, neverGivenUp].map((v) => v.verificationId));
    expect(
      listed
        .filter((n) => mine.has(n.verificationId))
        .map(({ verificationId, statusVersion, notifiedStatusVersion }) => ({ verificationId, statusVersion, notifiedStatusVersion })),
    ).toEqual([
      { verificationId: neverAcknowledged.verificationId, statusVersion: 2, notifiedStatusVersion: 0 },
      { verificationId: olderAcknowledged.verificationId, statusVersion: 3, notifiedStatusVersion: 1 },
    ]);
    expect(listed.find((n) => n.verificationId === neverAcknowledged.verificationId)).toMatchObject({
      tenantId,
      sessionId: neverAcknowledged.key.sessionId,
      abandonedAt: expect.any(Date),
    });
  });

  it('indexes the reconciliation query', async () => {
    const indexes = await db.collection(collections.verificationSessions).listIndexes().toArray();
    expect(indexes.find((index) => index.name === 'notification_abandoned')?.key).toEqual({ notificationAbandonedAt: 1 });
  });
});
