import { randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { createCredentialNonceStore } from '../../store/credential-nonces';
import { collections } from '../../store/mongo';
import { connectTestDatabase } from '../support/test-database';

/** The credential nonce store (profile §25) against the real MongoDB-wire server (FerretDB here). */
let mongo: MongoClient;
let db: Db;
beforeAll(async () => {
  ({ client: mongo, db } = await connectTestDatabase('credential_nonces'));
});
afterAll(async () => {
  await mongo?.close();
});

const tenant = 'tenant-a';

describe('credential nonces', () => {
  it('issues 256-bit base64url nonces that expire after the ttl and stores only their hash', async () => {
    const clock = { now: Date.parse('2026-12-02T10:00:00Z') };
    const store = createCredentialNonceStore(db, { ttlMs: 60_000, now: () => clock.now });
    const instance = randomUUID();
    const { c_nonce, expiresAt } = await store.issue(tenant, instance);
    expect(c_nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt.toISOString()).toBe('2026-12-02T10:01:00.000Z');
    const stored = await db.collection(collections.credentialNonces).find({ credentialInstanceId: instance }).toArray();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(c_nonce);
  });

  it('accepts a nonce once; another request gets used, the same request again gets accepted', async () => {
    const store = createCredentialNonceStore(db);
    const instance = randomUUID();
    const { c_nonce } = await store.issue(tenant, instance);
    const first = randomUUID();
    expect(await store.consume(tenant, instance, c_nonce, first)).toBe('accepted');
    expect(await store.consume(tenant, instance, c_nonce, randomUUID())).toBe('used');
    expect(await store.consume(tenant, instance, c_nonce, first)).toBe('accepted');
  });

  it('lets exactly one of many concurrent requests take a nonce', async () => {
    const store = createCredentialNonceStore(db);
    const instance = randomUUID();
    const { c_nonce } = await store.issue(tenant, instance);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.consume(tenant, instance, c_nonce, randomUUID())));
    expect(results.filter((r) => r === 'accepted')).toHaveLength(1);
    expect(results.filter((r) => r === 'used')).toHaveLength(7);
  });

  it('answers unknown for a nonce of another instance, another tenant, or one never issued, without using it up', async () => {
    const store = createCredentialNonceStore(db);
    const instance = randomUUID();
    const { c_nonce } = await store.issue(tenant, instance);
    expect(await store.consume(tenant, randomUUID(), c_nonce, randomUUID())).toBe('unknown');
    expect(await store.consume('tenant-b', instance, c_nonce, randomUUID())).toBe('unknown');
    expect(await store.consume(tenant, instance, 'A'.repeat(43), randomUUID())).toBe('unknown');
    expect(await store.consume(tenant, instance, c_nonce, randomUUID())).toBe('accepted');
  });

  it('refuses an expired nonce, but the request that took it in time is accepted again after expiry', async () => {
    const clock = { now: Date.parse('2026-12-02T10:00:00Z') };
    const store = createCredentialNonceStore(db, { ttlMs: 60_000, now: () => clock.now });
    const instance = randomUUID();
    const late = await store.issue(tenant, instance);
    const taken = await store.issue(tenant, instance);
    const requestId = randomUUID();
    expect(await store.consume(tenant, instance, taken.c_nonce, requestId)).toBe('accepted');
    clock.now += 60_000;
    expect(await store.consume(tenant, instance, late.c_nonce, randomUUID())).toBe('expired');
    expect(await store.consume(tenant, instance, taken.c_nonce, requestId)).toBe('accepted');
  });

  it('sweeps nonces and their uses one ttl after they expired, not before', async () => {
    // Later than every other test's nonces, so the sweeps below also take theirs: counted per instance.
    const clock = { now: Date.parse('2030-01-01T00:00:00Z') };
    const store = createCredentialNonceStore(db, { ttlMs: 60_000, now: () => clock.now });
    const instance = randomUUID();
    const { c_nonce } = await store.issue(tenant, instance);
    const requestId = randomUUID();
    await store.consume(tenant, instance, c_nonce, requestId);
    const kept = async () => ({
      nonces: await db.collection(collections.credentialNonces).countDocuments({ credentialInstanceId: instance }),
      uses: await db.collection(collections.credentialNonceUses).countDocuments({ requestId }),
    });
    clock.now += 60_000 + 59_000;
    await store.sweepExpired();
    expect(await kept()).toEqual({ nonces: 1, uses: 1 });
    expect(await store.consume(tenant, instance, c_nonce, requestId)).toBe('accepted');
    clock.now += 2_000;
    expect(await store.sweepExpired()).toBeGreaterThanOrEqual(1);
    expect(await kept()).toEqual({ nonces: 0, uses: 0 });
    expect(await store.consume(tenant, instance, c_nonce, requestId)).toBe('unknown');
  });
});
