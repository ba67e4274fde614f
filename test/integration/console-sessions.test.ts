import type { Db, MongoClient } from 'mongodb';
import { createConsoleSessionStore } from '../../store/console-sessions';
import { collections } from '../../store/mongo';
import { connectTestDatabase } from '../support/test-database';

/** The reviewer console's sessions on FerretDB: only the secret's hash is kept; idle and absolute expiry. */
let client: MongoClient;
let db: Db;
beforeAll(async () => {
  ({ client, db } = await connectTestDatabase('console_sessions'));
});
afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

describe('console sessions', () => {
  it('keeps only the secret’s hash, renews the idle expiry with use, and ends at the absolute expiry, at sign-out and when swept', async () => {
    let now = Date.parse('2026-12-02T08:00:00Z');
    const store = createConsoleSessionStore(db, { idleMs: 15 * 60_000, maxMs: 60 * 60_000, now: () => new Date(now) });
    const { secret, session } = await store.open({ id: 'alice', role: 'reviewer' }, 'a'.repeat(64));
    const stored = await db.collection(collections.consoleSessions).findOne({ _id: session._id as never });
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(await store.find('x'.repeat(43))).toBeUndefined();

    // Used every 10 minutes, it outlives its 15-minute idle expiry, up to the hour.
    for (let minutes = 10; minutes <= 50; minutes += 10) {
      now += 10 * 60_000;
      expect((await store.find(secret))?.adminId).toBe('alice');
    }
    now += 11 * 60_000;
    expect(await store.find(secret)).toBeUndefined();

    // Left alone longer than the idle period, it ends.
    const idle = await store.open({ id: 'bob', role: 'reviewer' }, 'b'.repeat(64));
    now += 16 * 60_000;
    expect(await store.find(idle.secret)).toBeUndefined();
    expect(await store.sweepExpired()).toBe(2);

    const closed = await store.open({ id: 'carol', role: 'back-office' }, 'c'.repeat(64));
    await store.close(closed.secret);
    expect(await store.find(closed.secret)).toBeUndefined();
  });
});
