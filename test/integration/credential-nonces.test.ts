import { randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { generateDataKeyringJson, parseDataKeyring } from '../../crypto/data-encryption';
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
const keyring = parseDataKeyring(generateDataKeyringJson('nonce-test'), 'test');

describe('credential nonces', () => {
  it('issues authenticated nonces that expire after the ttl and writes nothing until one is used', async () => {
    const clock = { now: Date.parse('2026-12-02T10:00:00Z') };
    const store = createCredentialNonceStore(db, keyring, { ttlMs: 60_000, now: () => clock.now });
    const instance = randomUUID();
    const uses = () => db.collection(collections.credentialNonceUses).countDocuments();
    const before = await uses();
    const first = store.issue(tenant, instance);
    const second = store.issue(tenant, instance);
    expect(first.c_nonce).toMatch(/^[A-Za-z0-9_-]{90,}$/);
    expect(second.c_nonce).not.toBe(first.c_nonce);
    expect(first.expiresAt.toISOString()).toBe('2026-12-02T10:01:00.000Z');
    expect(await uses()).toBe(before);
    const requestId = randomUUID();
    expect(await store.consume(tenant, instance, first.c_nonce, requestId)).toBe('accepted');
    const stored = await db.collection(collections.credentialNonceUses).find({ requestId }).toArray();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(first.c_nonce);
  });

  it('answers unknown for a nonce altered in any byte, cut, extended or made under another key', async () => {
    const store = createCredentialNonceStore(db, keyring);
    const instance = randomUUID();
    const { c_nonce } = store.issue(tenant, instance);
    const bytes = Buffer.from(c_nonce, 'base64url');
    for (const at of [0, 1, 9, 25, 26, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[at] = (altered[at] as number) ^ 1;
      expect(await store.consume(tenant, instance, altered.toString('base64url'), randomUUID())).toBe('unknown');
    }
    const otherKeys = createCredentialNonceStore(db, parseDataKeyring(generateDataKeyringJson('nonce-test'), 'other'));
    expect(await store.consume(tenant, instance, otherKeys.issue(tenant, instance).c_nonce, randomUUID())).toBe('unknown');
    expect(await store.consume(tenant, instance, c_nonce.slice(0, -1), randomUUID())).toBe('unknown');
    expect(await store.consume(tenant, instance, `${c_nonce}AAAA`, randomUUID())).toBe('unknown');
    expect(await store.consume(tenant, instance, 'A'.repeat(10_000), randomUUID())).toBe('unknown');
    expect(await store.consume(tenant, instance, c_nonce, randomUUID())).toBe('accepted');
  });

  it('verifies nonces made under an earlier key of the keyring after rotation', async () => {
    const instance = randomUUID();
    const old = generateDataKeyringJson('old');
    const rotated = parseDataKeyring({ active: 'new', keys: { ...old.keys, ...generateDataKeyringJson('new').keys } }, 'rotated');
    const { c_nonce } = createCredentialNonceStore(db, parseDataKeyring(old, 'old')).issue(tenant, instance);
    expect(await createCredentialNonceStore(db, rotated).consume(tenant, instance, c_nonce, randomUUID())).toBe('accepted');
  });

  it('accepts a nonce once; another request gets used, the same request again gets accepted', async () => {
    const store = createCredentialNonceStore(db, keyring);
    const instance = randomUUID();
    const { c_nonce } = store.issue(tenant, instance);
    const first = randomUUID();
    expect(await store.consume(tenant, instance, c_nonce, first)).toBe('accepted');
    expect(await store.consume(tenant, instance, c_nonce, randomUUID())).toBe('used');
    expect(await store.consume(tenant, instance, c_nonce, first)).toBe('accepted');
  });

  it('lets exactly one of many concurrent requests take a nonce', async () => {
    const store = createCredentialNonceStore(db, keyring);
    const instance = randomUUID();
    const { c_nonce } = store.issue(tenant, instance);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.consume(tenant, instance, c_nonce, randomUUID())));
    expect(results.filter((r) => r === 'accepted')).toHaveLength(1);
    expect(results.filter((r) => r === 'used')).toHaveLength(7);
  });

  it('answers unknown for a nonce of another instance, another tenant, or one never issued, without using it up', async () => {
    const store = createCredentialNonceStore(db, keyring);
    const instance = randomUUID();
    const { c_nonce } = store.issue(tenant, instance);
    expect(await store.consume(tenant, randomUUID(), c_nonce, randomUUID())).toBe('unknown');
    expect(await store.consume('tenant-b', instance, c_nonce, randomUUID())).toBe('unknown');
    expect(await store.consume(tenant, instance, 'A'.repeat(43), randomUUID())).toBe('unknown');
    expect(await store.consume(tenant, instance, c_nonce, randomUUID())).toBe('accepted');
  });

  it('refuses an expired nonce, but the request that took it in time is accepted again after expiry', async () => {
    const clock = { now: Date.parse('2026-12-02T10:00:00Z') };
    const store = createCredentialNonceStore(db, keyring, { ttlMs: 60_000, now: () => clock.now });
    const instance = randomUUID();
    const late = store.issue(tenant, instance);
    const taken = store.issue(tenant, instance);
    const requestId = randomUUID();
    expect(await store.consume(tenant, instance, taken.c_nonce, requestId)).toBe('accepted');
    clock.now += 60_000;
    expect(await store.consume(tenant, instance, late.c_nonce, randomUUID())).toBe('expired');
    expect(await store.consume(tenant, instance, taken.c_nonce, requestId)).toBe('accepted');
  });

  it('sweeps the uses one ttl after their nonce expired, not before; a swept nonce stays refused', async () => {
    // Later than every other test's nonces, so the sweeps below also take theirs: counted per request.
    const clock = { now: Date.parse('2030-01-01T00:00:00Z') };
    const store = createCredentialNonceStore(db, keyring, { ttlMs: 60_000, now: () => clock.now });
    const instance = randomUUID();
    const { c_nonce } = store.issue(tenant, instance);
    const requestId = randomUUID();
    await store.consume(tenant, instance, c_nonce, requestId);
    const kept = () => db.collection(collections.credentialNonceUses).countDocuments({ requestId });
    clock.now += 60_000 + 59_000;
    await store.sweepExpired();
    expect(await kept()).toBe(1);
    expect(await store.consume(tenant, instance, c_nonce, requestId)).toBe('accepted');
    clock.now += 2_000;
    expect(await store.sweepExpired()).toBeGreaterThanOrEqual(1);
    expect(await kept()).toBe(0);
    expect(await store.consume(tenant, instance, c_nonce, randomUUID())).toBe('expired');
  });
});
