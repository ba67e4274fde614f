import { createHash, randomBytes } from 'node:crypto';
import { createContentDelivery } from '../../api/content/content-delivery';
import { generateHpkeJwk } from '../../crypto/issuer-keys';
import { decryptJwe, encryptJwe, publicHpkeJwk } from '../../crypto/jwe-hpke';
import type { DeliveredCredentials } from '../../domain/schemas/credential';
import { createContentDownloadStore } from '../../store/content-downloads';
import { collections } from '../../store/mongo';
import { loadIssuerKeyMaterial } from '../../crypto/key-material';
import { seedFakeHolders } from '../../dev/fake-holders';
import { credentialFlow } from '../support/credential-flow';
import { openCredentials } from '../support/credential-wallet';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';

/**
 * Profile §25 Content Reference over the real API listener (HTTPS + mTLS, FerretDB): a get's
 * JWE over the threshold is stored and answered by reference; the Wallet Server it was delivered
 * to downloads exactly those bytes from `GET /content/{id}`, and nobody else finds them.
 */
const thresholdBytes = 4096;
const notFoundType = 'urn:s2s-issuer:problem:content-not-found';

let harness: IssuerHarness;

const flow = credentialFlow(() => harness);

beforeAll(async () => {
  harness = await startIssuerHarness({ env: { S2S_CONTENT_REFERENCE_THRESHOLD_BYTES: String(thresholdBytes) } });
  await seedFakeHolders(harness.db, loadIssuerKeyMaterial(harness.config).dataKeyring);
});
afterAll(async () => {
  await harness?.close();
});

/** A JWE whose plaintext is a JSON array of credentials of about `bytes` bytes, as a get's would be, and the key that opens it. */
async function credentialsJwe(bytes: number) {
  const walletKey = await generateHpkeJwk('HPKE-0-KE');
  const credentials = [randomBytes(Math.ceil(bytes / 2)).toString('base64url'), randomBytes(Math.ceil(bytes / 2)).toString('base64url')];
  const jwe = (await encryptJwe(Buffer.from(JSON.stringify(credentials)), publicHpkeJwk(walletKey))) as string;
  return { jwe, walletKey, credentials };
}

function referenceOf(delivered: DeliveredCredentials) {
  if (!('contentReference' in delivered)) throw new Error('expected a Content Reference');
  return delivered.contentReference;
}

/** The download's path on the API listener (the URL carries the configured public origin). */
const pathOf = (downloadUrl: string) => new URL(downloadUrl).pathname;

describe('credentials by reference (profile §25 Content Reference)', () => {
  it('answers a JWE up to the threshold in band, unchanged, and stores nothing', async () => {
    const { jwe } = await credentialsJwe(1000);
    expect(Buffer.byteLength(jwe)).toBeLessThanOrEqual(thresholdBytes);
    const before = await harness.db.collection(collections.contentDownloads).countDocuments({});
    expect(await harness.deps.contentDelivery.deliver(harness.walletA.tenant._id, jwe)).toEqual({ jwe, origin: 'ISSUER' });
    expect(await harness.db.collection(collections.contentDownloads).countDocuments({})).toBe(before);
  });

  it('delivers a larger JWE by reference, and its Wallet Server downloads exactly those bytes (digest, size, no-store)', async () => {
    // Over 255 KiB: several stored chunks, streamed in order.
    const { jwe, walletKey, credentials } = await credentialsJwe(600 * 1024);
    const delivered = await harness.deps.contentDelivery.deliver(harness.walletA.tenant._id, jwe);
    expect(delivered.origin).toBe('ISSUER');
    const reference = referenceOf(delivered);
    expect(reference.downloadUrl).toMatch(/^https:\/\/issuer\.test\/content\/[A-Za-z0-9_-]{43}$/);
    expect(reference.contentSize).toBe(Buffer.byteLength(jwe));
    const expiresIn = Date.parse(reference.expiresAt ?? '') - Date.now();
    expect(expiresIn).toBeGreaterThan(590_000);
    expect(expiresIn).toBeLessThanOrEqual(600_000);

    const download = await harness.http.get(pathOf(reference.downloadUrl), harness.walletA);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/jose');
    expect(download.headers['cache-control']).toBe('no-store');
    expect(Number(download.headers['content-length'])).toBe(reference.contentSize);
    // S2S §Content Reference: contentDigest is the SHA-256 of the content as downloaded.
    expect(createHash('sha256').update(download.text, 'utf8').digest('base64url')).toBe(reference.contentDigest);
    expect(download.headers['repr-digest']).toBe(`sha-256=:${createHash('sha256').update(download.text, 'utf8').digest('base64')}:`);
    expect(download.text).toBe(jwe);
    const opened = await decryptJwe(download.text, [{ jwk: walletKey }]);
    expect(JSON.parse(Buffer.from(opened.plaintext).toString('utf8'))).toEqual(credentials);

    // A download may be repeated until the content expires (a retried fetch after a broken connection).
    expect((await harness.http.get(pathOf(reference.downloadUrl), harness.walletA)).text).toBe(jwe);
  });

  it("answers another Wallet Server's id exactly as an unknown id: 404 content-not-found", async () => {
    const { jwe } = await credentialsJwe(8 * 1024);
    const reference = referenceOf(await harness.deps.contentDelivery.deliver(harness.walletA.tenant._id, jwe));
    const byOther = await harness.http.get(pathOf(reference.downloadUrl), harness.walletB);
    const unknown = await harness.http.get(`/content/${randomBytes(32).toString('base64url')}`, harness.walletB);
    const malformed = await harness.http.get('/content/not-an-id', harness.walletB);
    for (const answer of [byOther, unknown, malformed]) {
      expect(answer.status).toBe(404);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      const { instance, ...rest } = answer.json as Record<string, unknown>;
      expect(instance).toMatch(/^urn:uuid:/);
      expect(rest).toEqual({ type: notFoundType, title: 'Content not found', status: 404, detail: 'No content with this id for this client, or it expired' });
    }
    // Still there for its own Wallet Server.
    expect((await harness.http.get(pathOf(reference.downloadUrl), harness.walletA)).status).toBe(200);
  });

  it('refuses a client certificate registered to no Wallet Server with 401, even with a valid id', async () => {
    const { jwe } = await credentialsJwe(8 * 1024);
    const reference = referenceOf(await harness.deps.contentDelivery.deliver(harness.walletA.tenant._id, jwe));
    const answer = await harness.http.get(pathOf(reference.downloadUrl), harness.unregistered);
    expect(answer.status).toBe(401);
    expect(answer.json.type).toBe('urn:s2s-issuer:problem:unknown-client');
  });

  it('answers an expired content 404 while its record is still stored (before any TTL monitor or sweep)', async () => {
    // Delivered "an hour ago" with the configured 10-minute lifetime: expired 50 minutes ago.
    const anHourAgo = () => new Date(Date.now() - 3600_000);
    const pastDelivery = createContentDelivery(harness.db, { baseUrl: harness.config.api.publicUrl, thresholdBytes, ttlMs: 600_000, now: anHourAgo });
    const { jwe } = await credentialsJwe(8 * 1024);
    const reference = referenceOf(await pastDelivery.deliver(harness.walletA.tenant._id, jwe));
    const stored = await harness.db.collection(collections.contentDownloads).countDocuments({ expiresAt: { $eq: new Date(reference.expiresAt ?? '') } });
    expect(stored).toBe(1);
    const answer = await harness.http.get(pathOf(reference.downloadUrl), harness.walletA);
    expect(answer.status).toBe(404);
    expect(answer.json.type).toBe(notFoundType);
  });

  it('keeps download ids and contents out of the logs and the database keys', async () => {
    const { jwe } = await credentialsJwe(8 * 1024);
    const reference = referenceOf(await harness.deps.contentDelivery.deliver(harness.walletA.tenant._id, jwe));
    const id = pathOf(reference.downloadUrl).split('/').pop() ?? '';
    expect((await harness.http.get(pathOf(reference.downloadUrl), harness.walletA)).status).toBe(200);
    expect((await harness.http.get(pathOf(reference.downloadUrl), harness.walletB)).status).toBe(404);
    const logs = harness.apiLogs.join('\n');
    expect(logs).toContain('/content/:id');
    expect(logs).not.toContain(id);
    expect(logs).not.toContain(jwe.slice(0, 40));
    // Only a hash of the id is stored: the database holds no working download URL.
    expect(await harness.db.collection(collections.contentDownloads).countDocuments({ _id: id as never })).toBe(0);
  });
});

describe('content download store (store/content-downloads.ts)', () => {
  it('has its expiry index on FerretDB, without expiry there (no TTL indexes), so a sweep removes expired contents', async () => {
    const indexes = await harness.db.collection(collections.contentDownloads).listIndexes().toArray();
    expect(indexes.map((i) => i.name)).toContain('expiresAt_ttl');
  });

  it('sweeps expired records and chunks only, oldest first, and a repeated sweep removes nothing more', async () => {
    let clock = new Date('2030-01-01T00:00:00Z');
    const store = createContentDownloadStore(harness.db, { now: () => clock, chunkBytes: 1024 });
    const tenantId = `sweep-${randomBytes(4).toString('hex')}`;
    const expired = await store.save(tenantId, randomBytes(3000), new Date('2030-01-01T00:05:00Z'));
    const live = await store.save(tenantId, randomBytes(3000), new Date('2030-01-01T01:00:00Z'));
    clock = new Date('2030-01-01T00:10:00Z');
    expect(await store.open(tenantId, expired.id)).toBeNull();
    expect(await store.sweepExpired(clock, 100)).toBeGreaterThanOrEqual(1);
    expect(await store.sweepExpired(clock, 100)).toBe(0);
    const opened = await store.open(tenantId, live.id);
    const parts: Buffer[] = [];
    for await (const chunk of opened?.chunks() ?? []) parts.push(chunk);
    expect(parts).toHaveLength(3);
    expect(createHash('sha256').update(Buffer.concat(parts)).digest('base64url')).toBe(live.digest);
    const expiredChunks = await harness.db.collection(collections.contentDownloadChunks).countDocuments({ expiresAt: { $lt: clock } });
    expect(expiredChunks).toBe(0);
  });

  it('removes a content for its tenant only', async () => {
    const store = createContentDownloadStore(harness.db);
    const saved = await store.save('tenant-x', randomBytes(100), new Date(Date.now() + 60_000));
    await store.remove('tenant-y', saved.id);
    expect(await store.open('tenant-x', saved.id)).not.toBeNull();
    await store.remove('tenant-x', saved.id);
    expect(await store.open('tenant-x', saved.id)).toBeNull();
  });
});

describe('a get answered by reference, end to end (S2S §Get Credential, §Content Reference)', () => {
  it('delivers a batch of mDLs over the threshold as a Content Reference that the Wallet Server downloads and the Wallet Client opens', async () => {
    const wallet = await flow.approvedWallet(['org.iso.18013.5.1.mDL']);
    const credentialInstanceId = await flow.instanceOf(wallet, 'org.iso.18013.5.1.mDL');
    const built = await flow.buildGet(wallet, credentialInstanceId, { presentmentKeyCount: 3 });
    const answer = await flow.post('/credential/get', built.body);
    expect(answer.status).toBe(200);
    const reference = referenceOf(answer.json.credentials as DeliveredCredentials);
    expect(reference.contentSize).toBeGreaterThan(thresholdBytes);

    const download = await harness.http.get(pathOf(reference.downloadUrl), harness.walletA);
    expect(download.status).toBe(200);
    expect(createHash('sha256').update(download.text, 'ascii').digest('base64url')).toBe(reference.contentDigest);
    const credentials = await openCredentials(download.text, built.walletEncryption.privateJwk);
    expect(credentials).toHaveLength(3);
    expect((await harness.http.get(pathOf(reference.downloadUrl), harness.walletB)).status).toBe(404);
  });
});
