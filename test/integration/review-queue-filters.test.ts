import { randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { createReviewCaseRepository } from '../../store/review-cases';
import { connectTestDatabase } from '../support/test-database';

/** The review queue's filters (the reviewer console's) are part of the query: a filtered page is full. */
let client: MongoClient;
let db: Db;
beforeAll(async () => {
  ({ client, db } = await connectTestDatabase('review_queue'));
});
afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

describe('review queue filters', () => {
  it('finds the cases of one configuration and age beyond the first page of the unfiltered queue', async () => {
    let clock = Date.parse('2026-12-01T00:00:00Z');
    const cases = createReviewCaseRepository(db, () => new Date(clock));
    const open = (configuration: string, tenantId: string) =>
      cases.open({
        tenantId,
        sessionId: randomUUID(),
        verificationId: randomUUID(),
        credentialConfigurationIds: [configuration],
        evidenceRef: randomUUID(),
        reasons: ['identity evidence'],
      });
    // Old mDL cases, then many newer PID cases on two Wallet Servers.
    for (let i = 0; i < 3; i += 1) await open('org.iso.18013.5.1.mDL', 'wallet-a');
    clock += 3 * 3600_000;
    for (let i = 0; i < 12; i += 1) await open('eu.europa.ec.eudi.pid.1', i % 2 ? 'wallet-a' : 'wallet-b');

    const mdl = await cases.list({ credentialConfigurationId: 'org.iso.18013.5.1.mDL', limit: 5 });
    expect(mdl.map((c) => c.credentialConfigurationIds[0])).toEqual(Array(3).fill('org.iso.18013.5.1.mDL'));
    const pidOfB = await cases.list({ tenantId: 'wallet-b', credentialConfigurationId: 'eu.europa.ec.eudi.pid.1', limit: 50 });
    expect(pidOfB).toHaveLength(6);
    // Waiting at least two hours (created before now − 2 h): only the old ones.
    clock += 60_000;
    const old = await cases.list({ createdBefore: new Date(clock - 2 * 3600_000), limit: 50 });
    expect(old).toHaveLength(3);
  });
});
