import { randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { createProviderRequestRepository } from '../../store/provider-requests';
import { connectTestDatabase } from '../support/test-database';

/** Which providers a verification still waits for (S2sWaitingFor = PROVIDER): asked, not yet answered. */
let client: MongoClient;
let db: Db;
beforeAll(async () => {
  ({ client, db } = await connectTestDatabase('provider_requests'));
});
afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

describe('provider requests', () => {
  it('lists the providers asked and not answered, for this verification only, and lists one again when it is asked again', async () => {
    const requests = createProviderRequestRepository(db);
    const ref = { tenantId: 't1', sessionId: randomUUID(), verificationId: randomUUID() };
    const other = { ...ref, verificationId: randomUUID() };
    await requests.record(ref, ['doc-check-co', 'registry-co']);
    await requests.record(other, ['doc-check-co']);
    expect((await requests.askedFor(ref)).sort()).toEqual(['doc-check-co', 'registry-co']);

    await requests.markAnswered(ref, 'doc-check-co');
    expect(await requests.askedFor(ref)).toEqual(['registry-co']);
    expect(await requests.askedFor(other)).toEqual(['doc-check-co']);
    // Still on record as asked: a late verdict of it is recognised (wasAsked), not waited for.
    expect(await requests.wasAsked(ref, 'doc-check-co')).toBe(true);

    await requests.record(ref, ['doc-check-co']);
    expect((await requests.askedFor(ref)).sort()).toEqual(['doc-check-co', 'registry-co']);
  });
});
