import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { createCredentialLifecycleWorkflows, type CredentialLifecycleWorkflows } from '../../clients/temporal/credential-lifecycle-workflows';
import { issuerAuthSignatureValid, readIssuerSigned } from '../../crypto/credential-formats/mdoc-read';
import { createMessageProofs } from '../../crypto/message-proof';
import { createPayloadCodec } from '../../crypto/temporal-payload-codec';
import { credentialLifecycleWorkflowId } from '../../domain/workflow-ids';
import { loadIssuerKeyMaterial } from '../../crypto/key-material';
import { generateHpkeJwk } from '../../crypto/issuer-keys';
import { decryptJwe, publicHpkeJwk } from '../../crypto/jwe-hpke';
import type { DataKeyring } from '../../crypto/data-encryption';
import type { PublicJwk } from '../../domain/schemas/common';
import { devMaterialPaths } from '../../dev/dev-material';
import { fakeHolders, seedFakeHolders } from '../../dev/fake-holders';
import { createCredentialDeliveryStore } from '../../store/credential-deliveries';
import { createCredentialRequestStore } from '../../store/credential-requests';
import { createIssuerHolderRepository } from '../../store/issuer-holders';
import { createHolderKey } from '../support/credential-signing';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { decodedHistoryText, findLeaks } from '../support/privacy-scan';

/**
 * The CredentialLifecycleWorkflow on the real worker (workers/compose.ts wiring), the Temporal
 * dev server and FerretDB: a get issued end to end, and a deferred get that ends with
 * CREDENTIAL_READY at the Wallet Server's /event/notify over mTLS.
 */
const mdl = 'org.iso.18013.5.1.mDL';
const pid = 'eu.europa.ec.eudi.pid.1';
let harness: IssuerHarness;
let keyring: DataKeyring;
let lifecycle: CredentialLifecycleWorkflows;

beforeAll(async () => {
  harness = await startIssuerHarness();
  keyring = loadIssuerKeyMaterial(harness.config).dataKeyring;
  await seedFakeHolders(harness.db, keyring);
  lifecycle = createCredentialLifecycleWorkflows(harness.temporal, {
    taskQueue: harness.config.temporal.taskQueue,
    outboundTaskQueue: harness.config.temporal.outboundTaskQueue,
    proofs: createMessageProofs(keyring),
  });
}, 120_000);
afterAll(async () => {
  await harness?.close();
});

/** What the API does for a get after verifying it: stores the proven request, then runs the Update. */
async function get(instance: { tenantId: string; credentialInstanceId: string }, keyCount: number) {
  const encryption = await generateHpkeJwk('HPKE-0-KE');
  const presentmentKeys = await Promise.all(Array.from({ length: keyCount }, () => createHolderKey()));
  const requestId = randomUUID();
  const requestRef = await createCredentialRequestStore(harness.db, keyring).save(instance.tenantId, requestId, {
    walletEncryptionKey: publicHpkeJwk(encryption) as PublicJwk,
    presentmentKeys: presentmentKeys.map((key) => key.publicJwk),
  });
  const outcome = await lifecycle.issue(instance, { requestRef, requestId });
  return { outcome, requestId, encryption, presentmentKeys };
}

function newInstance(overrides: { credentialConfigurationId: string; holderAccountId: string }) {
  return {
    tenantId: harness.walletA.tenant._id,
    sessionId: randomUUID(),
    verificationId: randomUUID(),
    credentialInstanceId: randomUUID(),
    ...overrides,
  };
}

describe('CredentialLifecycleWorkflow on the issuer worker', () => {
  it('issues a get end to end: the answer names a delivery whose JWE opens to one credential per proven key', async () => {
    const instance = newInstance({ credentialConfigurationId: pid, holderAccountId: 'test-holder-erika' });
    await lifecycle.start(instance);
    const { outcome, encryption, presentmentKeys } = await get(instance, 2);
    if (outcome.outcome !== 'issued') throw new Error(`expected issued, got ${outcome.outcome}`);
    const delivery = await createCredentialDeliveryStore(harness.db).load(instance.tenantId, outcome.deliveryRef);
    expect(delivery?.credentialVersion).toBe(outcome.credentialVersion);
    const { plaintext } = await decryptJwe(delivery?.jwe as string, [{ jwk: encryption }]);
    const credentials = JSON.parse(Buffer.from(plaintext).toString('utf8')) as string[];
    expect(credentials).toHaveLength(2);
    for (const credential of credentials) expect(decodeProtectedHeader(credential.split('~')[0] as string).typ).toBe('dc+sd-jwt');
    expect(presentmentKeys).toHaveLength(2);
    // Another tenant's delivery is not handed out.
    expect(await createCredentialDeliveryStore(harness.db).load(harness.walletB.tenant._id, outcome.deliveryRef)).toBeNull();
    expect(await lifecycle.state(instance)).toMatchObject({ credentialVersion: outcome.credentialVersion });

    // No personal data in the history: no claim, no key, no credential (decoded, as an operator with the codec sees it).
    const history = await decodedHistoryText(
      await harness.temporal.workflow.getHandle(credentialLifecycleWorkflowId(instance)).fetchHistory(),
      // Search attributes are plain payloads in the history (display mode), and are scanned too.
      createPayloadCodec(keyring, { acceptPlaintext: true }),
    );
    expect(history).toContain(outcome.deliveryRef);
    const erika = fakeHolders[0]?.datasets.find((dataset) => dataset.configurationId === pid)?.claims as Record<string, string>;
    const needles = [
      erika.family_name as string,
      erika.birthdate as string,
      ...presentmentKeys.map((key) => key.publicJwk.x as string),
      encryption.x as string,
      ...credentials.map((credential) => credential.slice(0, 60)),
      delivery?.jwe.slice(0, 60) as string,
    ];
    expect(findLeaks({ history }, needles)).toEqual([]);
  });

  it('defers a get while the holder data is pending, and sends CREDENTIAL_READY once the back office says it changed', async () => {
    const erika = fakeHolders[0];
    const mdlClaims = erika?.datasets.find((dataset) => dataset.configurationId === mdl)?.claims;
    if (!mdlClaims) throw new Error('no development mDL data');
    const holderAccountId = `test-holder-deferred-${randomUUID().slice(0, 8)}`;
    const holders = createIssuerHolderRepository(harness.db, keyring);
    await holders.putHolder({ holderAccountId, datasets: [{ configurationId: mdl, claims: mdlClaims, pending: {} }] });
    // A day-long poll: only the signal can make the notification arrive within the test.
    const instance = newInstance({ credentialConfigurationId: mdl, holderAccountId });
    await lifecycle.start({ ...instance, deferredPollMs: 24 * 3_600_000 });

    const deferred = await get(instance, 1);
    expect(deferred.outcome).toEqual({ outcome: 'pending' });
    expect((await lifecycle.state(instance))?.deferred?.triggeringRequestId).toBe(deferred.requestId);

    await holders.putHolder({ holderAccountId, datasets: [{ configurationId: mdl, claims: mdlClaims }] });
    await lifecycle.holderDataChanged(instance);
    const ready = await harness.receiver.waitFor((n) => n.path.endsWith('/event/notify') && n.body.credentialInstanceId === instance.credentialInstanceId);
    expect(ready.path).toBe('/wallet-a/event/notify');
    expect(ready.body).toMatchObject({
      sessionId: instance.sessionId,
      credentialInstanceId: instance.credentialInstanceId,
      eventType: 'CREDENTIAL_READY',
      triggeringRequestId: deferred.requestId,
    });
    expect(Number.isNaN(Date.parse(String(ready.body.eventTimestamp)))).toBe(false);

    const next = await get(instance, 1);
    if (next.outcome.outcome !== 'issued') throw new Error(`expected issued, got ${next.outcome.outcome}`);
    // The worker signs mdocs with the document signer (profile §26 activeByFormat): x5chain is the
    // DS alone, issued by the development IACA, the verifiers' trust anchor.
    const nextDelivery = await createCredentialDeliveryStore(harness.db).load(instance.tenantId, next.outcome.deliveryRef);
    const [mdoc] = JSON.parse(Buffer.from((await decryptJwe(nextDelivery?.jwe as string, [{ jwk: next.encryption }])).plaintext).toString('utf8')) as string[];
    const { issuerAuth } = readIssuerSigned(mdoc as string);
    const material = devMaterialPaths(path.dirname(path.dirname(harness.config.keys.signingKeysFile)));
    const documentSigner = new X509Certificate(readFileSync(material.mdocSignerCert));
    expect(issuerAuth.certificateChain.map((der) => Buffer.from(der).toString('base64'))).toEqual([documentSigner.raw.toString('base64')]);
    expect(documentSigner.checkIssued(new X509Certificate(readFileSync(material.mdocIacaCert)))).toBe(true);
    expect(issuerAuthSignatureValid(issuerAuth)).toBe(true);
    const notifications = harness.receiver.received.filter((n) => n.body.credentialInstanceId === instance.credentialInstanceId);
    expect(notifications).toHaveLength(1);
  });
});
