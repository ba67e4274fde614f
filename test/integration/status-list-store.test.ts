import { randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { StatusValue } from '../../domain/status-lists/status-list';
import { collections } from '../../store/mongo';
import { createStatusListStore, initialChangeId, StatusChangeRefusedError, UnknownStatusListEntryError } from '../../store/status-lists';
import { createStatusListPublisher } from '../../api/status-lists/status-list-publisher';
import { verifyStatusListCwt } from '../../crypto/status-list-token';
import { statusAt } from '../../domain/status-lists/status-list';
import { createLocalEs256Signer } from '../support/local-credential-signer';
import { connectTestDatabase } from '../support/test-database';

/** The status list store against the real MongoDB-wire server (FerretDB here). */
let mongo: MongoClient;
let db: Db;
beforeAll(async () => {
  ({ client: mongo, db } = await connectTestDatabase('status_lists'));
});
afterEach(async () => {
  for (const name of Object.values(collections).filter((name) => name.startsWith('status_list'))) await db.collection(name).deleteMany({});
});
afterAll(async () => {
  await mongo?.close();
});

describe('status list index allocation', () => {
  it('hands out the same entry again to a repeated allocation for one credential, also when the repeats race', async () => {
    const store = createStatusListStore(db);
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 5 }, () => store.allocate(key)));
    for (const result of results) expect(result).toEqual(results[0]);
    expect(await store.allocate(key)).toEqual(results[0]);
    expect(results[0]!.listId).toBe('1');
    expect((await store.findList('1'))?.size).toBe(131_072);
  });

  it('never hands out one index twice: concurrent allocations get distinct random indexes', async () => {
    const store = createStatusListStore(db);
    const refs = await Promise.all(Array.from({ length: 40 }, () => store.allocate(randomUUID())));
    const ids = new Set(refs.map((ref) => `${ref.listId}#${ref.index}`));
    expect(ids.size).toBe(40);
    // Random, not sequential: 40 sequential indexes would all sit below 40.
    expect(refs.filter((ref) => ref.index >= 40).length).toBeGreaterThan(30);
  });

  it('never hands out one index twice while concurrent allocations fill small lists and open new ones', async () => {
    const store = createStatusListStore(db, { size: 16, fillThreshold: 0.75 });
    const refs = await Promise.all(Array.from({ length: 48 }, (_, i) => store.allocate(`racing-${i}`)));
    expect(new Set(refs.map((ref) => `${ref.listId}#${ref.index}`)).size).toBe(48);
    expect(new Set(refs.map((ref) => ref.listId)).size).toBeGreaterThanOrEqual(3);
    for (const ref of refs) expect(ref.index).toBeLessThan(16);
  });

  it('allocates a batch at once: distinct indexes per credential, the recorded ones again on a repeat, also when repeats race', async () => {
    const store = createStatusListStore(db, { size: 16, fillThreshold: 0.75 });
    const keys = Array.from({ length: 10 }, (_, i) => `batch-${randomUUID()}-${i}`);
    const first = await store.allocateMany(keys.slice(0, 4));
    const all = await store.allocateMany(keys);
    expect(all.slice(0, 4)).toEqual(first);
    expect(new Set(all.map((ref) => `${ref.listId}#${ref.index}`)).size).toBe(10);
    const racing = await Promise.all([store.allocateMany(keys), store.allocateMany([...keys].reverse())]);
    expect(racing[0]).toEqual(all);
    expect(racing[1]).toEqual([...all].reverse());
    for (const ref of all) expect(ref.index).toBeLessThan(16);
  });

  it('opens the next list once the open one is filled past the threshold, and no index is reused across lists', async () => {
    // Enough tries per list that the threshold, not a run of collisions, opens the second list.
    const store = createStatusListStore(db, { size: 32, fillThreshold: 0.75, attemptsPerList: 64, latestListCacheMs: 0 });
    const refs = [];
    for (let i = 0; i < 40; i += 1) refs.push(await store.allocate(`credential-${i}`));
    const firstList = refs.filter((ref) => ref.listId === '1');
    // Read fresh each time (no cache), the counter opens list 2 exactly at 75 %.
    expect(firstList.length).toBe(24);
    expect(refs.slice(-1)[0]!.listId).toBe('2');
    expect(new Set(refs.map((ref) => `${ref.listId}#${ref.index}`)).size).toBe(40);
    expect(await db.collection(collections.statusListEntries).countDocuments({})).toBe(40);
  });
});

describe('status list entries', () => {
  it('sets an entry idempotently, marks the list changed each time, and reads only changed entries back', async () => {
    const store = createStatusListStore(db);
    const { listId, index } = await store.allocate(randomUUID());
    const other = await store.allocate(randomUUID());
    expect(await store.changeIdOf(listId)).toBe(initialChangeId);
    expect(await store.statusOf(listId, index)).toBe(StatusValue.valid);

    await store.setStatus(listId, index, StatusValue.suspended);
    const afterSuspend = await store.changeIdOf(listId);
    expect(afterSuspend).not.toBe(initialChangeId);
    await store.setStatus(listId, index, StatusValue.suspended);
    expect(await store.statusOf(listId, index)).toBe(StatusValue.suspended);
    expect(await store.changeIdOf(listId)).not.toBe(afterSuspend);
    expect(await store.changedEntries(listId)).toEqual([{ index, status: StatusValue.suspended }]);

    await store.setStatus(listId, index, StatusValue.valid);
    expect(await store.statusOf(listId, index)).toBe(StatusValue.valid);
    expect(await store.statusOf(other.listId, other.index)).toBe(StatusValue.valid);
  });

  it('refuses an index that was never allocated, and any change after revocation', async () => {
    const store = createStatusListStore(db);
    const { listId, index } = await store.allocate(randomUUID());
    await expect(store.setStatus(listId, (index + 1) % 131_072, StatusValue.invalid)).rejects.toBeInstanceOf(UnknownStatusListEntryError);
    await store.setStatus(listId, index, StatusValue.invalid);
    await store.setStatus(listId, index, StatusValue.invalid);
    await expect(store.setStatus(listId, index, StatusValue.valid)).rejects.toBeInstanceOf(StatusChangeRefusedError);
    await expect(store.setStatus(listId, index, StatusValue.suspended)).rejects.toBeInstanceOf(StatusChangeRefusedError);
    expect(await store.statusOf(listId, index)).toBe(StatusValue.invalid);
  });
});

describe('status list publication snapshots', () => {
  function publisherWithClock(store: ReturnType<typeof createStatusListStore>) {
    const local = createLocalEs256Signer();
    let signatures = 0;
    let now = new Date('2026-12-01T12:00:00Z');
    const publisher = createStatusListPublisher({
      store,
      signer: { ...local.signer, sign: (data) => ((signatures += 1), local.signer.sign(data)) },
      listUri: (listId) => `https://status.test/status-lists/${listId}`,
      ttlSeconds: 300,
      validitySeconds: 3600,
      clock: () => now,
    });
    return {
      publisher,
      publicKey: local.publicKey,
      signatures: () => signatures,
      advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    };
  }

  it('serves the stored tokens while nothing changed, signs new ones after a status change, and again after half their validity', async () => {
    const store = createStatusListStore(db);
    const { listId, index } = await store.allocate(randomUUID());
    const { publisher, publicKey, signatures, advance } = publisherWithClock(store);

    const first = await publisher.current(listId);
    expect(signatures()).toBe(2); // the JWT and the CWT
    expect((await publisher.current(listId))?.etag).toEqual(first!.etag);
    expect(signatures()).toBe(2);

    await store.setStatus(listId, index, StatusValue.suspended);
    const changed = await publisher.current(listId);
    expect(signatures()).toBe(4);
    expect(changed!.etag.jwt).not.toBe(first!.etag.jwt);
    expect(statusAt(verifyStatusListCwt(changed!.cwt, publicKey).bytes, 2, index)).toBe(StatusValue.suspended);

    advance(29 * 60_000);
    // Same tokens (the ETags are digests of their bytes), not signed again.
    expect((await publisher.current(listId))?.etag).toEqual(changed!.etag);
    expect(signatures()).toBe(4);
    advance(2 * 60_000);
    const resigned = await publisher.current(listId);
    expect(signatures()).toBe(6);
    expect(resigned!.expiresAt.getTime()).toBeGreaterThan(changed!.expiresAt.getTime());
  });

  it('shares one rebuild between concurrent requests for a stale list, and knows no list that was never opened', async () => {
    const store = createStatusListStore(db);
    const { listId } = await store.allocate(randomUUID());
    const { publisher, signatures } = publisherWithClock(store);
    const results = await Promise.all(Array.from({ length: 5 }, () => publisher.current(listId)));
    expect(signatures()).toBe(2);
    for (const result of results) expect(result?.etag).toEqual(results[0]!.etag);
    expect(await publisher.current('4711')).toBeUndefined();
  });
});
