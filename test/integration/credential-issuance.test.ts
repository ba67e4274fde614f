import { X509Certificate, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { compactVerify, decodeProtectedHeader, exportJWK } from 'jose';
import type { Db, MongoClient } from 'mongodb';
import { createCredentialIssuanceActivities, type IssuanceSubject } from '../../activities/credential-issuance-activities';
import { developmentCatalogue } from '../../config/verification';
import { createIssuerCredentialFormats } from '../../crypto/credential-formats';
import { elementsWithWrongDigest, issuerAuthSignatureValid, readIssuerSigned } from '../../crypto/credential-formats/mdoc-read';
import { createCredentialVersioner } from '../../crypto/credential-version';
import { generateDataKeyringJson, parseDataKeyring } from '../../crypto/data-encryption';
import { generateHpkeJwk } from '../../crypto/issuer-keys';
import { decryptJwe, publicHpkeJwk } from '../../crypto/jwe-hpke';
import { createCredentialCatalogue } from '../../domain/credential-configurations';
import { loadCredentialSigningKeys } from '../../crypto/credential-signing-keys';
import type { CredentialSigner } from '../../domain/credential-formats/format';
import type { PublicJwk } from '../../domain/schemas/common';
import { statusListUri } from '../../domain/status-lists/status-list';
import { ensureDevMaterial } from '../../dev/dev-material';
import { fakeHolders, seedFakeHolders } from '../../dev/fake-holders';
import { createCredentialDeliveryStore } from '../../store/credential-deliveries';
import { createCredentialRequestStore } from '../../store/credential-requests';
import { createIssuerHolderRepository, createMongoIssuerDataSource } from '../../store/issuer-holders';
import { createIssuedCredentialStore } from '../../store/issued-credentials';
import { collections } from '../../store/mongo';
import { createStatusListStore } from '../../store/status-lists';
import { createHolderKey, verifyX5cChain } from '../support/credential-signing';
import { presentAndVerifyMdoc, type MdlModule } from '../support/mdl-presentation';
import { connectTestDatabase } from '../support/test-database';

/**
 * The issuance activity against the real MongoDB-wire server (FerretDB here), with the real
 * formats, the development signing keys file (one key per format: the credential signing CA's
 * for the JOSE formats, the mdoc document signer under the IACA for mso_mdoc), status lists,
 * sealing and HPKE; what it issues is checked by readers other than the issuing code (jose and
 * node:crypto for the JOSE formats, @auth0/mdl and the mdoc reader for mso_mdoc).
 */
const issuer = 'https://issuer.test';
const publicUrl = 'https://status.issuer.test';
const quiet = new DefaultLogger('ERROR');
const pid = 'eu.europa.ec.eudi.pid.1';
const mdl = 'org.iso.18013.5.1.mDL';

let mongo: MongoClient;
let db: Db;
let signers: { signerFor(format: string): CredentialSigner };
/** The development credential signing CA: the JOSE formats' trust anchor. */
let trustAnchor: X509Certificate;
/** The development IACA: the mdoc verifiers' trust anchor (ISO 18013-5 Annex B). */
let iacaPem: string;
let materialDir: string;
let mdlVerifier: MdlModule;
let signatures = 0;
const keyring = parseDataKeyring(generateDataKeyringJson('issuance-1'), 'test');

beforeAll(async () => {
  ({ client: mongo, db } = await connectTestDatabase('issuance'));
  await seedFakeHolders(db, keyring);
  materialDir = mkdtempSync(path.join(tmpdir(), 'issuance-material-'));
  const material = await ensureDevMaterial(materialDir);
  const keys = loadCredentialSigningKeys(material.signingKeys);
  trustAnchor = new X509Certificate(readFileSync(material.credentialSigningCaCert));
  iacaPem = readFileSync(material.mdocIacaCert, 'utf8');
  // Counts signatures, so a test can tell reuse from signing again.
  signers = {
    signerFor: (format) => {
      const signer = keys.signerFor(format);
      return { ...signer, sign: (data) => ((signatures += 1), signer.sign(data)) };
    },
  };
  await jest.isolateModulesAsync(async () => {
    mdlVerifier = await import('@auth0/mdl');
  });
});
afterAll(async () => {
  await mongo?.close();
  rmSync(materialDir, { recursive: true, force: true });
});

function issuance(options: { clock?: () => Date } = {}) {
  const requests = createCredentialRequestStore(db, keyring, options);
  const deliveries = createCredentialDeliveryStore(db, options);
  const activities = createCredentialIssuanceActivities({
    requests,
    holders: createMongoIssuerDataSource(db, keyring),
    configurations: createCredentialCatalogue(developmentCatalogue),
    formats: createIssuerCredentialFormats({ issuer }),
    signers,
    statusLists: createStatusListStore(db),
    statusListUri: (listId) => statusListUri(publicUrl, listId),
    issuedCredentials: createIssuedCredentialStore(db, keyring, options),
    deliveries,
    credentialVersion: createCredentialVersioner(keyring),
    // Not reached by issuance (notifications have their own tests).
    tenants: { findById: () => Promise.reject(new Error('not used')) },
    walletServers: { post: () => Promise.reject(new Error('not used')) },
    retryAfterCeilingMs: 3_600_000,
    proofs: { verify: () => false },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
    new MockActivityEnvironment({}, { logger: quiet }).run(fn, ...args) as Promise<R>;
  return { activities, requests, deliveries, run };
}

let instanceCounter = 0;
function subject(overrides: Partial<IssuanceSubject> = {}): IssuanceSubject {
  instanceCounter += 1;
  return {
    tenantId: 'tenant-issuance',
    sessionId: '5b0b8a5e-7e4c-4f49-9a3c-1f1b6f9e2d10',
    verificationId: '6c1c9b6f-8f5d-4a5a-8b4d-2a2c7a0f3e21',
    credentialInstanceId: `instance-${Date.now()}-${instanceCounter}`,
    credentialConfigurationId: pid,
    holderAccountId: 'test-holder-erika',
    ...overrides,
  };
}

/** A wallet's side of a get: an encryption key pair and presentment keys (with their private parts, to present). */
async function walletKeys(count: number) {
  const encryption = await generateHpkeJwk('HPKE-0-KE');
  const presentment = await Promise.all(Array.from({ length: count }, () => createHolderKey()));
  return {
    encryption,
    presentmentKeys: presentment.map((key) => key.publicJwk),
    presentmentPrivateJwks: await Promise.all(presentment.map(async (key) => (await exportJWK(key.privateKey)) as JsonWebKey)),
  };
}

async function openDelivery(jwe: string, encryption: Awaited<ReturnType<typeof generateHpkeJwk>>): Promise<string[]> {
  const { plaintext } = await decryptJwe(jwe, [{ jwk: encryption }]);
  return JSON.parse(Buffer.from(plaintext).toString('utf8')) as string[];
}

/** Verifies an SD-JWT VC's issuer-signed JWT through its x5c (jose, node:crypto) and returns its payload. */
async function verifiedSdJwtPayload(credential: string): Promise<Record<string, unknown>> {
  const jws = credential.split('~')[0] as string;
  const key = verifyX5cChain(decodeProtectedHeader(jws).x5c, trustAnchor);
  return JSON.parse(Buffer.from((await compactVerify(jws, key)).payload).toString('utf8')) as Record<string, unknown>;
}

async function get(
  run: ReturnType<typeof issuance>,
  who: IssuanceSubject,
  keys: { encryption: Awaited<ReturnType<typeof generateHpkeJwk>>; presentmentKeys: PublicJwk[] },
  requestId: string,
) {
  const requestRef = await run.requests.save(who.tenantId, requestId, {
    walletEncryptionKey: publicHpkeJwk(keys.encryption) as PublicJwk,
    presentmentKeys: keys.presentmentKeys,
  });
  const outcome = await run.run(run.activities.issueCredentialBatch, { ...who, requestRef, requestId });
  return { requestRef, outcome };
}

describe('issueCredentialBatch (S2S §Get Credential, profile §25)', () => {
  it('issues one SD-JWT VC per proven key, each bound to its key with its own status entry, as one JWE to the walletEncryptionKey', async () => {
    const run = issuance();
    const who = subject();
    const keys = await walletKeys(3);
    const { outcome } = await get(run, who, keys, 'request-pid-1');
    if (outcome.outcome !== 'issued') throw new Error(`expected issued, got ${outcome.outcome}`);
    const delivery = await run.deliveries.load(who.tenantId, outcome.deliveryRef);
    expect(delivery?.credentialVersion).toBe(outcome.credentialVersion);
    const credentials = await openDelivery(delivery?.jwe as string, keys.encryption);
    expect(credentials).toHaveLength(3);
    const payloads = await Promise.all(credentials.map(verifiedSdJwtPayload));
    payloads.forEach((payload, i) => {
      expect(payload).toMatchObject({ iss: issuer, vct: 'urn:eudi:pid:1', cnf: { jwk: { x: keys.presentmentKeys[i]?.x } } });
    });
    const statuses = payloads.map((payload) => (payload.status as { status_list: { idx: number; uri: string } }).status_list);
    expect(new Set(statuses.map((status) => `${status.uri}#${status.idx}`)).size).toBe(3);
    for (const status of statuses) expect(status.uri).toMatch(/^https:\/\/status\.issuer\.test\/status-lists\/\d+$/);
  });

  it('issues mdocs signed by the mdoc document signer that @auth0/mdl accepts with the development IACA as trust anchor, one device key and status index each', async () => {
    const run = issuance();
    const who = subject({ credentialConfigurationId: mdl });
    const keys = await walletKeys(2);
    const { outcome } = await get(run, who, keys, 'request-mdl-1');
    if (outcome.outcome !== 'issued') throw new Error(`expected issued, got ${outcome.outcome}`);
    const credentials = await openDelivery((await run.deliveries.load(who.tenantId, outcome.deliveryRef))?.jwe as string, keys.encryption);
    expect(credentials).toHaveLength(2);
    const iaca = new X509Certificate(iacaPem);
    const indexes = await Promise.all(
      credentials.map(async (credential, i) => {
        const read = readIssuerSigned(credential);
        expect(elementsWithWrongDigest(read)).toEqual([]);
        expect(issuerAuthSignatureValid(read.issuerAuth)).toBe(true);
        // ISO 18013-5 Annex B: x5chain carries the document signer only; the IACA is the verifier's.
        expect(read.issuerAuth.certificateChain).toHaveLength(1);
        const documentSigner = new X509Certificate(Buffer.from(read.issuerAuth.certificateChain[0] as Uint8Array));
        expect(documentSigner.checkIssued(iaca) && documentSigner.verify(iaca.publicKey)).toBe(true);
        expect(documentSigner.keyUsage).toContain('1.0.18013.5.1.2');
        const checks = await presentAndVerifyMdoc(mdlVerifier, {
          credential,
          docType: mdl,
          namespace: 'org.iso.18013.5.1',
          // issuing_country must be the IACA's (ISO 18013-5 Annex B); the fake holder's mDL is from ZZ too.
          elements: ['family_name', 'given_name', 'birth_date', 'document_number', 'issuing_country'],
          devicePrivateJwk: keys.presentmentPrivateJwks[i] as JsonWebKey,
          trustedIacaPem: iacaPem,
        });
        expect(checks.filter((check) => check.status === 'FAILED').map((check) => check.id)).toEqual([]);
        const passed = checks.filter((check) => check.status === 'PASSED').map((check) => check.id);
        expect(passed).toEqual(
          expect.arrayContaining(['ISSUER_CERTIFICATE_VALIDITY', 'ISSUER_SIGNATURE_VALIDITY', 'DEVICE_SIGNATURE_VALIDITY', 'ATTRIBUTE_DIGEST_MATCH']),
        );
        const deviceKey = (read.issuerAuth.mso.get('deviceKeyInfo') as Map<unknown, unknown>).get('deviceKey') as Map<number, Uint8Array>;
        expect(Buffer.from(deviceKey.get(-2) as Uint8Array).toString('base64url')).toBe(keys.presentmentKeys[i]?.x);
        return ((read.issuerAuth.mso.get('status') as Map<string, unknown>).get('status_list') as Map<string, unknown>).get('idx');
      }),
    );
    expect(new Set(indexes).size).toBe(2);
    // A verifier anchored at the credential signing CA (the JOSE formats' PKI) does not accept it.
    const checks = await presentAndVerifyMdoc(mdlVerifier, {
      credential: credentials[0] as string,
      docType: mdl,
      namespace: 'org.iso.18013.5.1',
      elements: ['family_name'],
      devicePrivateJwk: keys.presentmentPrivateJwks[0] as JsonWebKey,
      trustedIacaPem: trustAnchor.toString(),
    });
    expect(checks.filter((check) => check.status === 'FAILED').map((check) => check.id)).toContain('ISSUER_CERTIFICATE_VALIDITY');
  });

  it('signs SD-JWT VC and VCDM credentials with the active key of the credential signing CA, not the document signer', async () => {
    const run = issuance();
    const iaca = new X509Certificate(iacaPem);
    for (const [configurationId, requestId] of [
      [pid, 'request-jose-pid'],
      ['org.example.membership.1', 'request-jose-vcdm'],
    ] as const) {
      const who = subject({ credentialConfigurationId: configurationId });
      const keys = await walletKeys(1);
      const { outcome } = await get(run, who, keys, requestId);
      if (outcome.outcome !== 'issued') throw new Error(`expected issued for ${configurationId}, got ${outcome.outcome}`);
      const [credential] = await openDelivery((await run.deliveries.load(who.tenantId, outcome.deliveryRef))?.jwe as string, keys.encryption);
      const jws = (credential as string).split('~')[0] as string;
      const { x5c } = decodeProtectedHeader(jws);
      await expect(compactVerify(jws, verifyX5cChain(x5c, trustAnchor))).resolves.toBeDefined();
      expect(() => verifyX5cChain(x5c, iaca)).toThrow('not signed by its issuer');
    }
  });

  it('answers a get repeated with the same keys with the same credentials, re-encrypted to the new walletEncryptionKey, without signing again', async () => {
    const run = issuance();
    const who = subject();
    const keys = await walletKeys(2);
    const first = await get(run, who, keys, 'request-repeat-1');
    if (first.outcome.outcome !== 'issued') throw new Error('expected issued');
    const signedBefore = signatures;
    // Another get: a new x-request-id, a new encryption key, the same presentment keys in another order.
    const again = { encryption: await generateHpkeJwk('HPKE-3-KE'), presentmentKeys: [...keys.presentmentKeys].reverse() };
    const second = await get(run, who, again, 'request-repeat-2');
    if (second.outcome.outcome !== 'issued') throw new Error('expected issued');
    expect(signatures).toBe(signedBefore);
    expect(second.outcome.credentialVersion).toBe(first.outcome.credentialVersion);
    expect(second.outcome.deliveryRef).not.toBe(first.outcome.deliveryRef);
    const firstCredentials = await openDelivery((await run.deliveries.load(who.tenantId, first.outcome.deliveryRef))?.jwe as string, keys.encryption);
    const secondCredentials = await openDelivery((await run.deliveries.load(who.tenantId, second.outcome.deliveryRef))?.jwe as string, again.encryption);
    // The same credentials, in the order of the keys of each request.
    expect(secondCredentials).toEqual([...firstCredentials].reverse());
  });

  it('repeats an execution for one request (a retried activity) without signing again, naming the same delivery', async () => {
    const run = issuance();
    const who = subject();
    const keys = await walletKeys(1);
    const { requestRef, outcome } = await get(run, who, keys, 'request-retry-1');
    const signedBefore = signatures;
    const repeated = await run.run(run.activities.issueCredentialBatch, { ...who, requestRef, requestId: 'request-retry-1' });
    expect(repeated).toEqual(outcome);
    expect(signatures).toBe(signedBefore);
    // The retried get stores its request once, under the same ref.
    expect(
      await run.requests.save(who.tenantId, 'request-retry-1', { walletEncryptionKey: publicHpkeJwk(keys.encryption) as PublicJwk, presentmentKeys: [] }),
    ).toBe(requestRef);
    expect((await run.requests.load(requestRef))?.presentmentKeys).toEqual(keys.presentmentKeys);
  });

  it('issues anew, with another credentialVersion and other status entries, once the holder’s claims change', async () => {
    const run = issuance();
    const holderAccountId = `test-holder-changing-${Date.now()}`;
    const erika = fakeHolders[0];
    if (!erika) throw new Error('no development holder');
    const holders = createIssuerHolderRepository(db, keyring);
    await holders.putHolder({ ...erika, holderAccountId });
    const who = subject({ holderAccountId });
    const keys = await walletKeys(1);
    const before = await get(run, who, keys, 'request-change-1');
    await holders.putHolder({
      holderAccountId,
      datasets: erika.datasets.map((dataset) =>
        dataset.configurationId === pid ? { ...dataset, claims: { ...dataset.claims, family_name: 'Musterfrau (TEST)' } } : dataset,
      ),
    });
    const after = await get(run, who, keys, 'request-change-2');
    if (before.outcome.outcome !== 'issued' || after.outcome.outcome !== 'issued') throw new Error('expected issued');
    expect(after.outcome.credentialVersion).not.toBe(before.outcome.credentialVersion);
    const [old] = await openDelivery((await run.deliveries.load(who.tenantId, before.outcome.deliveryRef))?.jwe as string, keys.encryption);
    const [renewed] = await openDelivery((await run.deliveries.load(who.tenantId, after.outcome.deliveryRef))?.jwe as string, keys.encryption);
    const status = async (credential: string | undefined) =>
      ((await verifiedSdJwtPayload(credential as string)).status as { status_list: { idx: number } }).status_list;
    expect(await status(renewed)).not.toEqual(await status(old));
    // A member the configuration does not describe never changes the version (it is not issued).
    await holders.putHolder({
      holderAccountId,
      datasets: erika.datasets.map((dataset) =>
        dataset.configurationId === pid
          ? { ...dataset, claims: { ...dataset.claims, family_name: 'Musterfrau (TEST)', internal_case_note: 'changed' } }
          : dataset,
      ),
    });
    const unchanged = await get(run, who, keys, 'request-change-3');
    expect(unchanged.outcome).toMatchObject({ outcome: 'issued', credentialVersion: after.outcome.credentialVersion });
  });

  it('answers pending with the issuer’s estimate for a data set not ready, unavailable for none, and checkHolderData agrees', async () => {
    const run = issuance();
    const keys = await walletKeys(1);
    const pending = subject({ credentialConfigurationId: mdl, holderAccountId: 'test-holder-max' });
    const { outcome } = await get(run, pending, keys, 'request-pending-1');
    expect(outcome.outcome).toBe('pending');
    expect(await run.run(run.activities.checkHolderData, pending)).toEqual(outcome);
    const none = subject({ credentialConfigurationId: mdl, holderAccountId: 'test-holder-jan' });
    expect((await get(run, none, keys, 'request-none-1')).outcome).toEqual({ outcome: 'unavailable', reason: 'no_data' });
    expect(await run.run(run.activities.checkHolderData, none)).toEqual({ outcome: 'unavailable', reason: 'no_data' });
    const unknown = subject({ holderAccountId: 'no-such-holder' });
    expect((await get(run, unknown, keys, 'request-unknown-1')).outcome).toEqual({ outcome: 'unavailable', reason: 'no_data' });
    // Ready, and as which credentialVersion (an update after issuance compares it, profile §29).
    expect(await run.run(run.activities.checkHolderData, subject())).toEqual({
      outcome: 'ready',
      credentialVersion: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it('refuses a request of another tenant as missing, and keeps requests and credentials sealed at rest', async () => {
    const run = issuance();
    const who = subject();
    const keys = await walletKeys(1);
    const { requestRef, outcome } = await get(run, who, keys, 'request-sealed-1');
    if (outcome.outcome !== 'issued') throw new Error('expected issued');
    await expect(run.run(run.activities.issueCredentialBatch, { ...who, tenantId: 'another-tenant', requestRef, requestId: 'x' })).rejects.toMatchObject({
      type: 'CredentialRequestMissing',
    });
    const storedRequest = JSON.stringify(await db.collection(collections.credentialRequests).findOne({ _id: requestRef as never }));
    expect(storedRequest).not.toContain(keys.presentmentKeys[0]?.x as string);
    const [credential] = await openDelivery((await run.deliveries.load(who.tenantId, outcome.deliveryRef))?.jwe as string, keys.encryption);
    const storedSets = JSON.stringify(await db.collection(collections.issuedCredentials).find({ credentialInstanceId: who.credentialInstanceId }).toArray());
    expect(storedSets).not.toContain('Erika');
    expect(storedSets).not.toContain((credential as string).slice(0, 40));
    expect(storedSets).toContain(outcome.credentialVersion);
  });
});

describe('credential deliveries (profile §25)', () => {
  it('hands a delivery only to its tenant and only within its time, and sweeps it after', async () => {
    let now = new Date('2026-12-01T10:00:00Z');
    const deliveries = createCredentialDeliveryStore(db, { ttlMs: 10 * 60_000, clock: () => now });
    await deliveries.save('tenant-a', 'delivery-1', { jwe: 'a.b.c.d.e', credentialVersion: 'v1' });
    // The first one stored wins.
    expect(await deliveries.save('tenant-a', 'delivery-1', { jwe: 'other', credentialVersion: 'v2' })).toEqual({ jwe: 'a.b.c.d.e', credentialVersion: 'v1' });
    expect(await deliveries.load('tenant-a', 'delivery-1')).toEqual({ jwe: 'a.b.c.d.e', credentialVersion: 'v1' });
    expect(await deliveries.load('tenant-b', 'delivery-1')).toBeNull();
    now = new Date(now.getTime() + 11 * 60_000);
    expect(await deliveries.load('tenant-a', 'delivery-1')).toBeNull();
    expect(await deliveries.deleteExpired()).toBeGreaterThanOrEqual(1);
    expect(await db.collection(collections.credentialDeliveries).findOne({ _id: 'delivery-1' as never })).toBeNull();
  });
});
