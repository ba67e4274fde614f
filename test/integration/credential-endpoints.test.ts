import { randomUUID, X509Certificate, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { compactVerify, decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { KeyObject as KeyLike } from 'node:crypto';
import { loadIssuerKeyMaterial } from '../../crypto/key-material';
import { elementsWithWrongDigest, readIssuerSigned } from '../../crypto/credential-formats/mdoc-read';
import { devMaterialPaths } from '../../dev/dev-material';
import { presentAndVerifyMdoc, type MdlModule } from '../support/mdl-presentation';
import type { CredentialSigningKeyFile } from '../../crypto/credential-signing-keys';
import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { fakeHolders, seedFakeHolders } from '../../dev/fake-holders';
import { createIssuerHolderRepository } from '../../store/issuer-holders';
import { credentialInstanceIdFor } from '../../store/credential-instances';
import { buildGetCredentialRequest, createKeyProof, openCredentials, type BuiltGetCredentialRequest } from '../support/credential-wallet';
import { verifyX5cChain } from '../support/credential-signing';
import { credentialFlow } from '../support/credential-flow';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { decodeSdJwtByHand, sdHashOf } from '../support/sd-jwt-by-hand';
import { createWalletInstance } from '../support/wallet-server';

/**
 * S2S §Credential Endpoints end to end, over mTLS on the real stack (Temporal dev server, the
 * issuer worker, FerretDB): APPROVED → provision → nonce → get → the Wallet Client decrypts with
 * its key → each credential is verified by code other than the code that issued it.
 */
const mdl = 'org.iso.18013.5.1.mDL';
const pid = 'eu.europa.ec.eudi.pid.1';
const membership = 'org.example.membership.1';

let h: IssuerHarness;
let credentialSigningRoot: X509Certificate;
let mdlVerifier: MdlModule;
beforeAll(async () => {
  h = await startIssuerHarness();
  await seedFakeHolders(h.db, loadIssuerKeyMaterial(h.config).dataKeyring);
  const keys = JSON.parse(readFileSync(h.config.keys.signingKeysFile, 'utf8')) as CredentialSigningKeyFile;
  const active = keys.keys.find((key) => key.id === keys.active);
  credentialSigningRoot = new X509Certificate(Buffer.from(active?.certificateChain.at(-1) as string, 'base64'));
  // @auth0/mdl in its own module registry: it registers cbor-x tags for the whole registry.
  await jest.isolateModulesAsync(async () => {
    mdlVerifier = await import('@auth0/mdl');
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const { issuerKey, post, approvedWallet, provision, instanceOf, nonceFor, buildGet } = credentialFlow(() => h);

/** A get that must issue: the decrypted credentials, in the order of the keys. */
async function issuedCredentials(built: BuiltGetCredentialRequest) {
  const answer = await post('/credential/get', built.body);
  expect(answer.status).toBe(200);
  return { answer, credentials: await openCredentials(answer.json.credentials, built.walletEncryption.privateJwk) };
}

function statusEntry(payload: Record<string, unknown>): { idx: number; uri: string } {
  return (payload.status as { status_list: { idx: number; uri: string } }).status_list;
}

function fetchStatusList(uri: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get(uri.replace(h.config.statusLists.publicUrl, h.statusListUrl), { ca: h.caPem, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

describe('credential issuance over mTLS (S2S §Credential Endpoints, profile §25)', () => {
  it('dc+sd-jwt: a batch of 3 keys gives 3 distinct SD-JWT VCs, each chained to the signing CA, bound to its key, with its own status entry, presentable with key binding', async () => {
    const wallet = await approvedWallet([pid]);
    const credentialInstanceId = await instanceOf(wallet, pid);
    const built = await buildGet(wallet, credentialInstanceId, { presentmentKeyCount: 3 });
    const { answer, credentials } = await issuedCredentials(built);
    expect(answer.json.credentialVersion).toEqual(expect.any(String));
    expect(answer.json.credentialMetadata).toMatchObject({ credentialConfigurationId: pid });
    expect(new Set(credentials).size).toBe(3);

    const indexes = new Set<number>();
    for (const [index, credential] of credentials.entries()) {
      const decoded = decodeSdJwtByHand(credential);
      const leafKey = verifyX5cChain(decoded.header.x5c, credentialSigningRoot);
      await compactVerify(decoded.issuerJwt, leafKey);
      expect(decoded.header.typ).toBe('dc+sd-jwt');
      expect(decoded.signedPayload).toMatchObject({ iss: h.config.api.publicUrl, vct: 'urn:eudi:pid:1' });
      expect((decoded.signedPayload.cnf as { jwk: JWK }).jwk.x).toBe(built.presentmentKeys[index]?.publicJwk.x);
      expect(decoded.claims.family_name).toMatch(/\(TEST\)$/);
      expect(decoded.disclosures.length).toBeGreaterThan(0);
      indexes.add(statusEntry(decoded.signedPayload).idx);
    }
    expect(indexes.size).toBe(3);

    // The status list the credential names is published and has the entry VALID.
    const first = decodeSdJwtByHand(credentials[0] as string);
    const list = await fetchStatusList(statusEntry(first.signedPayload).uri);
    expect(list.status).toBe(200);

    // A holder presentation: the credential with a KB-JWT signed by its presentment key, checked by
    // the @sd-jwt verifier with the certificate's key, which also fetches the status list over
    // HTTPS, verifies its token and reads the entry (VALID).
    const audience = 'https://verifier.example';
    const nonce = randomUUID();
    const withoutKb = `${first.issuerJwt}~${first.disclosures.map((d) => d.encoded).join('~')}~`;
    const kbJwt = await new SignJWT({ aud: audience, nonce, iat: Math.floor(Date.now() / 1000), sd_hash: sdHashOf(withoutKb) })
      .setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' })
      .sign(built.presentmentKeys[0]?.privateKey as CryptoKey);
    const leafKey = verifyX5cChain(first.header.x5c, credentialSigningRoot);
    const verifies = (key: KeyLike | Uint8Array | CryptoKey) => async (data: string, signature: string) =>
      compactVerify(`${data}.${signature}`, key).then(
        () => true,
        () => false,
      );
    const verifier = new SDJwtVcInstance({
      hasher: digest,
      verifier: verifies(leafKey),
      kbVerifier: async (data, signature, payload) => verifies(await importJWK((payload.cnf as { jwk: JWK }).jwk, 'ES256'))(data, signature),
      statusListFetcher: async (uri) => (await fetchStatusList(uri)).body,
    });
    const verified = await verifier.verify(`${withoutKb}${kbJwt}`, { keyBindingNonce: nonce });
    expect(verified.kb?.payload).toMatchObject({ aud: audience, nonce });
    expect(verified.payload).toMatchObject({ vct: 'urn:eudi:pid:1', given_name: expect.any(String) });
  });

  it('jwt_vc_json: a VCDM 2.0 credential that jose verifies with the certificate key, bound to the presentment key', async () => {
    const wallet = await approvedWallet([membership], 'test-holder-jan');
    const credentialInstanceId = await instanceOf(wallet, membership);
    const built = await buildGet(wallet, credentialInstanceId, { presentmentKeyCount: 2 });
    const { credentials } = await issuedCredentials(built);
    expect(credentials).toHaveLength(2);
    for (const [index, credential] of credentials.entries()) {
      const leafKey = verifyX5cChain(decodeProtectedHeader(credential).x5c, credentialSigningRoot);
      const { payload, protectedHeader } = await jwtVerify(credential, leafKey);
      expect(protectedHeader.typ).toBe('vc+jwt');
      expect(payload).toMatchObject({
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential', 'ExampleMembershipCard'],
        issuer: h.config.api.publicUrl,
        cnf: { jwk: { x: built.presentmentKeys[index]?.publicJwk.x } },
      });
    }
  });

  it('mso_mdoc: an mDL that @auth0/mdl verifies against the IACA, presented with the presentment key as device key', async () => {
    const wallet = await approvedWallet([mdl]);
    const credentialInstanceId = await instanceOf(wallet, mdl);
    const built = await buildGet(wallet, credentialInstanceId, { presentmentKeyCount: 2 });
    const { credentials } = await issuedCredentials(built);
    expect(credentials).toHaveLength(2);
    for (const [index, credential] of credentials.entries()) {
      const read = readIssuerSigned(credential);
      expect(elementsWithWrongDigest(read)).toEqual([]);
      const checks = await presentAndVerifyMdoc(mdlVerifier, {
        credential,
        docType: mdl,
        namespace: 'org.iso.18013.5.1',
        elements: ['family_name', 'given_name', 'birth_date', 'issuing_country', 'driving_privileges'],
        devicePrivateJwk: built.presentmentKeys[index]?.privateJwk as JsonWebKey,
        trustedIacaPem: readFileSync(devMaterialPaths(h.config.dataDir).mdocIacaCert, 'utf8'),
      });
      expect(checks.filter((check) => check.status === 'FAILED').map((check) => check.id)).toEqual([]);
      expect(checks.filter((check) => check.status === 'PASSED').map((check) => check.id)).toEqual(
        expect.arrayContaining(['ISSUER_SIGNATURE_VALIDITY', 'DEVICE_SIGNATURE_VALIDITY', 'ATTRIBUTE_DIGEST_MATCH']),
      );
    }
  });

  it('repeats: provision returns the same instances; a get with the same keys returns the same credentials; new keys give new ones', async () => {
    const wallet = await approvedWallet([pid]);
    const first = await provision(wallet);
    const again = await provision(wallet);
    expect(again.json).toEqual(first.json);
    const credentialInstanceId = first.json.CredentialInstances[0].credentialInstanceIds[0] as string;

    const built = await buildGet(wallet, credentialInstanceId, { presentmentKeyCount: 2 });
    const { credentials } = await issuedCredentials(built);
    const nonce = await nonceFor(wallet, credentialInstanceId);
    const sameKeys = await buildGetCredentialRequest({
      sessionId: wallet.ids.sessionId,
      credentialInstanceId,
      nonce,
      walletSigningKey: wallet.key,
      issuerEncryptionKey: issuerKey(),
      credentialIssuer: h.config.api.publicUrl,
      overrides: {
        presentmentKeys: await Promise.all(built.presentmentKeys.map((key) => createKeyProof(key, { credentialIssuer: h.config.api.publicUrl, nonce }))),
      },
    });
    const repeated = await issuedCredentials(sameKeys);
    expect(repeated.credentials).toEqual(credentials);

    const fresh = await issuedCredentials(await buildGet(wallet, credentialInstanceId, { presentmentKeyCount: 2 }));
    expect(fresh.credentials.some((credential) => credentials.includes(credential))).toBe(false);
  });

  it('devices: a further device beyond authorizedDeviceCount is refused; each device has its own instances', async () => {
    const wallet = await approvedWallet([pid]);
    const primary = await provision(wallet);
    expect(primary.status).toBe(200);
    const second = await provision(wallet, 'second-device');
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ type: 'urn:s2s-issuer:problem:device-limit-reached' });
  });

  it('another tenant’s instance answers like a missing one, on nonce, get and metadata', async () => {
    const wallet = await approvedWallet([pid]);
    const credentialInstanceId = await instanceOf(wallet, pid);
    const built = await buildGet(wallet, credentialInstanceId);
    const missing = { type: 'urn:s2s-issuer:problem:credential-instance-not-found', status: 404 };
    expect((await post('/credential/get', built.body, h.walletB)).json).toMatchObject(missing);
    expect((await post('/credential/nonce', { sessionId: wallet.ids.sessionId, credentialInstanceId }, h.walletB)).json).toMatchObject(missing);
    expect(
      (
        await post(
          '/credential/metadata',
          { sessionId: wallet.ids.sessionId, credentialInstanceId, walletEncryptionKey: built.body.walletEncryptionKey },
          h.walletB,
        )
      ).json,
    ).toMatchObject(missing);
    expect((await post('/credential/get', { ...built.body, credentialInstanceId: randomUUID() })).json).toMatchObject(missing);
  });

  it('refuses to provision, and finds no instance to get, before approval and after cancellation', async () => {
    const pending = await createWalletInstance({ http: h.http, identity: h.walletA, issuerKey: issuerKey() });
    expect((await pending.initiate({ credentialConfigurationIds: [pid] })).json.status).toBe('ADDITIONAL_INFO_REQUIRED');
    expect((await provision(pending)).json).toMatchObject({ type: 'urn:s2s-issuer:problem:verification-not-approved', status: 409 });
    expect((await post('/verification/cancel', { ...pending.ids, reason: 'user cancelled' })).status).toBe(200);
    expect((await provision(pending)).json).toMatchObject({ type: 'urn:s2s-issuer:problem:verification-not-approved', status: 409 });
    // The id provision would have given (profile §25 derives it): nothing exists under it, so a get finds nothing.
    const wouldBe = credentialInstanceIdFor({ tenantId: h.walletA.tenant._id, ...pending.ids, device: 'default' }, pid);
    const get = await buildGetCredentialRequest({
      sessionId: pending.ids.sessionId,
      credentialInstanceId: wouldBe,
      nonce: 'bm90LWEtbm9uY2UtdGhlLWlzc3Vlci1nYXZl',
      walletSigningKey: pending.key,
      issuerEncryptionKey: issuerKey(),
      credentialIssuer: h.config.api.publicUrl,
    });
    expect((await post('/credential/get', get.body)).json).toMatchObject({ type: 'urn:s2s-issuer:problem:credential-instance-not-found', status: 404 });
    expect((await post('/credential/nonce', { sessionId: pending.ids.sessionId, credentialInstanceId: wouldBe })).status).toBe(404);
  });

  it('refuses a substituted wallet encryption key, a foreign proof, a stale or reused nonce, with invalid_client_authentication and nothing issued', async () => {
    const wallet = await approvedWallet([pid]);
    const credentialInstanceId = await instanceOf(wallet, pid);
    const refused = { type: 'urn:openid:dcp:s2s:invalid_client_authentication', status: 400 };

    // A Wallet Server putting its own key in place of the Wallet Client's.
    const substituted = await buildGet(wallet, credentialInstanceId);
    const serverKey = await buildGet(wallet, credentialInstanceId);
    expect((await post('/credential/get', { ...substituted.body, walletEncryptionKey: serverKey.body.walletEncryptionKey })).json).toMatchObject(refused);

    // A proof signed by a key other than the one it names.
    const other = await buildGet(wallet, credentialInstanceId);
    const foreign = await buildGet(wallet, credentialInstanceId, {
      overrides: { proof: () => ({ signingKey: other.presentmentKeys[0]?.privateKey as CryptoKey }) },
    });
    expect((await post('/credential/get', foreign.body)).json).toMatchObject(refused);

    // A nonce the issuer never gave, then one already used.
    const unknownNonce = await buildGetCredentialRequest({
      sessionId: wallet.ids.sessionId,
      credentialInstanceId,
      nonce: 'bm90LWEtbm9uY2UtdGhlLWlzc3Vlci1nYXZl',
      walletSigningKey: wallet.key,
      issuerEncryptionKey: issuerKey(),
      credentialIssuer: h.config.api.publicUrl,
    });
    expect((await post('/credential/get', unknownNonce.body)).json).toMatchObject(refused);
    const used = await buildGet(wallet, credentialInstanceId);
    expect((await post('/credential/get', used.body)).status).toBe(200);
    expect((await post('/credential/get', used.body)).json).toMatchObject(refused);
  });

  it('deferred: 202 PENDING with Retry-After while the data is not ready; the back office says it changed; CREDENTIAL_READY; the next get issues', async () => {
    const holderAccountId = `test-holder-${randomUUID()}`;
    const holders = createIssuerHolderRepository(h.db, loadIssuerKeyMaterial(h.config).dataKeyring);
    const erikaMdl = fakeHolders[0]?.datasets.find((dataset) => dataset.configurationId === mdl)?.claims as Record<string, unknown>;
    await holders.putHolder({ holderAccountId, datasets: [{ configurationId: mdl, claims: erikaMdl, pending: {} }] });
    const wallet = await approvedWallet([mdl], holderAccountId);
    const credentialInstanceId = await instanceOf(wallet, mdl);
    const deferred = await post('/credential/get', (await buildGet(wallet, credentialInstanceId)).body);
    expect(deferred.status).toBe(202);
    expect(deferred.headers['retry-after']).toMatch(/^\d+$/);
    expect(deferred.json).toMatchObject({ sessionId: wallet.ids.sessionId, credentialInstanceId, status: 'PENDING' });

    await holders.putHolder({ holderAccountId, datasets: [{ configurationId: mdl, claims: erikaMdl }] });
    const woken = await h.admin('POST', `/admin/holders/${encodeURIComponent(holderAccountId)}/data-changed`, 'backOffice');
    expect(woken).toMatchObject({ status: 202, json: { instances: 1 } });
    const ready = await h.receiver.waitFor((n) => n.path.endsWith('/event/notify') && n.body.credentialInstanceId === credentialInstanceId);
    expect(ready.body).toMatchObject({ sessionId: wallet.ids.sessionId, eventType: 'CREDENTIAL_READY' });

    const built = await buildGet(wallet, credentialInstanceId);
    const { credentials } = await issuedCredentials(built);
    expect(credentials).toHaveLength(1);
  });

  it('metadata: the current version, the metadata in a get only when the wallet’s version is stale, and 404 for an unknown version', async () => {
    const wallet = await approvedWallet([pid]);
    const credentialInstanceId = await instanceOf(wallet, pid);
    const built = await buildGet(wallet, credentialInstanceId);
    const current = await post('/credential/metadata', {
      sessionId: wallet.ids.sessionId,
      credentialInstanceId,
      walletEncryptionKey: built.body.walletEncryptionKey,
    });
    expect(current.status).toBe(200);
    const version = current.json.credentialMetadata.credentialMetadataVersion as string;
    expect(current.json.credentialMetadata.display[0].name).toEqual(expect.any(String));

    const upToDate = await issuedCredentials({ ...built, body: { ...built.body, currentCredentialMetadataVersion: version } });
    expect(upToDate.answer.json.credentialMetadata).toBeUndefined();

    const unknown = await post('/credential/metadata', {
      sessionId: wallet.ids.sessionId,
      credentialInstanceId,
      walletEncryptionKey: built.body.walletEncryptionKey,
      credentialMetadataVersion: 'no-such-version',
    });
    expect(unknown.json).toMatchObject({ type: 'urn:s2s-issuer:problem:credential-metadata-version-not-found', status: 404 });
  });
});
