import { randomBytes } from 'node:crypto';
import https from 'node:https';
import { shippedCredentialConfigurations } from '../config/shipped-credential-configurations';
import type { HolderRecord } from '../domain/issuer-data-source';
import { deviceMigrationType } from '../domain/verification-types/device-migration';
import { identityEvidenceType } from '../domain/verification-types/identity-evidence';
import { preAuthorizedCodeType } from '../domain/verification-types/pre-authorized-code';
import { walletRiskAssessmentType } from '../domain/verification-types/wallet-risk-assessment';
import { startReferenceWalletServer, type Exchange, type ReferenceWalletClient, type ReferenceWalletServer } from '../reference-wallet/wallet-server';
import { sendRequest } from '../wallet/issuer-request';
import { describeCredential, type ShownFormat } from './decoded-credential';
import { fakeHolders } from './fake-holders';
import { freePort } from './processes';

/**
 * `npm run demo`'s narration (dev/demo.ts runs it against a stack; test/integration/demo.test.ts
 * against the test harness): a reference Wallet Server registered as a tenant walks through the
 * five engagement flows, issuance of each shipped format, a suspension by the issuer, a
 * wallet-side unlink and a deferred credential that becomes ready, printing what goes over the
 * wire (long values shortened; what the Wallet Client encrypts and the credentials it decrypts
 * shown in clear). Fake data only.
 */
export interface DemoEnvironment {
  apiUrl: string;
  adminUrl: string;
  /** The CA of the issuer's server certificates (and of the Wallet Servers' client certificates). */
  caPem: string;
  tokens: { backOffice: string; reviewer: string };
  /** Registers a Wallet Server (a tenant) with a fresh client certificate and `notificationBaseUrl`. */
  registerWallet(name: string, notificationBaseUrl: string): Promise<{ tenantId: string; certificatePem: string; privateKeyPem: string }>;
  /** The reference Wallet Server's own listener (a server certificate the issuer trusts). */
  walletServerTls: { certificatePem: string; privateKeyPem: string };
  /** The issuer's records of a holder (what its registry would write). */
  putHolder(holder: HolderRecord): Promise<void>;
  /**
   * Deregisters the demo's Wallet Server at the end: its listener stops with the demo, and a
   * registered tenant nobody answers for would keep reconciliation asking it.
   */
  deregisterWallet?(tenantId: string): Promise<void>;
  /** Where an operator looks afterwards (printed at the end). */
  temporalUiUrl?: string;
}

export interface DemoResult {
  tenantId: string;
  steps: string[];
  exchanges: number;
}

const pid = 'eu.europa.ec.eudi.pid.1';
const mdl = 'org.iso.18013.5.1.mDL';
const lowRisk = { id: 'risk', type: walletRiskAssessmentType, deviceIntegrity: 'PASS', riskScore: 0.05 };
const evidence = { documentType: 'ID_CARD', documentImageRefs: ['front-demo'], selfieRef: 'selfie-demo' };

/** Long values (JWEs, signatures, keys) shortened for reading; the structure is kept. */
export function compact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > 72 ? `${value.slice(0, 40)}…(${value.length} chars)` : value;
  if (Array.isArray(value)) return depth > 4 ? `[${value.length} items]` : value.map((item) => compact(item, depth + 1));
  if (value && typeof value === 'object') {
    if (depth > 4) return '{…}';
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, compact(v, depth + 1)]));
  }
  return value;
}

class DemoStepFailed extends Error {}

/** Stops the demo when an answer is not the one the step is about (`answer`: its status field, or the whole answer). */
function expectStatus(what: string, answer: unknown, expected: string): void {
  const status = typeof answer === 'object' && answer !== null ? (answer as { status?: unknown }).status : answer;
  if (status !== expected) throw new DemoStepFailed(`${what}: expected ${expected}, got ${JSON.stringify(compact(answer))}`);
}

export async function runDemo(env: DemoEnvironment, out: (line: string) => void): Promise<DemoResult> {
  const steps: string[] = [];
  let exchanges = 0;
  const step = (title: string) => {
    steps.push(title);
    out(`\n━━━ ${steps.length}. ${title} ━━━`);
  };
  const say = (line: string) => out(`  ${line}`);
  const show = (exchange: Exchange) => {
    exchanges += 1;
    const arrow = exchange.direction === 'to-issuer' ? 'Wallet Server → Issuer' : 'Issuer → Wallet Server';
    out(`  ${arrow}  POST ${exchange.route}  →  ${exchange.status}`);
    out(`      request:  ${JSON.stringify(compact(exchange.request))}`);
    out(`      response: ${JSON.stringify(compact(exchange.response))}`);
  };

  const adminAgent = new https.Agent({ keepAlive: true, ca: env.caPem });
  async function admin(route: string, token: string, body?: unknown): Promise<Record<string, unknown>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const answer = await sendRequest(`${env.adminUrl}${route}`, {
      method: payload === undefined ? 'GET' : 'POST',
      agent: adminAgent,
      headers: { Authorization: `Bearer ${token}`, ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) },
      ...(payload ? { body: payload } : {}),
    });
    out(`  Issuer staff → admin API  ${payload ? 'POST' : 'GET'} ${route.split('?')[0]}  →  ${answer.status}`);
    if (answer.status >= 300) throw new DemoStepFailed(`${route} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    return JSON.parse(answer.text) as Record<string, unknown>;
  }
  async function offer(credentialConfigurationIds: string[], holderAccountId: string, holderAuthenticated: boolean): Promise<string> {
    const created = (
      await admin('/admin/credential-offers', env.tokens.backOffice, {
        credentialConfigurationIds,
        holderAccountId,
        holderAuthenticated,
        expiresInSeconds: 3600,
      })
    ).credential_offer as { grants: Record<string, Record<string, string>> };
    return created.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']?.['pre-authorized_code'] as string;
  }
  /** The demo's Wallet Server, once registered. */
  let registeredTenant: string | undefined;
  /** A reviewer decides the case of a PENDING verification (the reviewer console does the same in a browser). */
  async function reviewerApproves(verificationId: string): Promise<void> {
    const cases = (await admin(`/admin/review-cases?tenantId=${encodeURIComponent(registeredTenant ?? '')}`, env.tokens.reviewer)).cases as {
      caseId: string;
      verificationId: string;
    }[];
    const reviewCase = cases.find((c) => c.verificationId === verificationId);
    if (!reviewCase) throw new DemoStepFailed('no review case for the verification');
    await admin(`/admin/review-cases/${encodeURIComponent(reviewCase.caseId)}/claim`, env.tokens.reviewer, {});
    await admin(`/admin/review-cases/${encodeURIComponent(reviewCase.caseId)}/decision`, env.tokens.reviewer, { outcome: 'APPROVED' });
  }
  /** Identity evidence from the Wallet Client (PENDING: a review case opens), a reviewer approves, the wallet reads APPROVED. */
  async function proofedByReviewer(flow: string, client: ReferenceWalletClient): Promise<void> {
    const supplemented = await client.supplement({ client: [clientItem({ id: 'proofing', type: identityEvidenceType, ...evidence })] });
    expectStatus(`${flow} supplement`, supplemented.json, 'PENDING');
    await reviewerApproves(client.ids.verificationId);
    expectStatus(`${flow} after review`, await client.statusAfter('PENDING'), 'APPROVED');
  }
  /** A Wallet Client redeems an offer's pre-authorized code: initiate with it as its (encrypted) item; the answer. */
  async function redeem(client: ReferenceWalletClient, code: string, credentialConfigurationIds: string[], requestedDeviceCount?: number) {
    const item = clientItem({ id: 'offer', type: preAuthorizedCodeType, preAuthorizedCode: code });
    return (await client.initiate({ credentialConfigurationIds, client: [item], ...(requestedDeviceCount ? { requestedDeviceCount } : {}) })).json;
  }
  /** What the Wallet Client signs with its WSK and encrypts to the issuer, in clear (the wire shows only the JWE). */
  const clientItem = (item: Record<string, unknown>) => {
    say(`the Wallet Client signs and encrypts: ${JSON.stringify(item)}`);
    return item;
  };

  // This run's holders: everything ready for one, a driving licence still in production for the other.
  const run = randomBytes(4).toString('hex');
  const holder = `demo-holder-${run}`;
  const waitingHolder = `demo-holder-${run}-deferred`;
  const template = fakeHolders[0] as HolderRecord;
  await env.putHolder({ holderAccountId: holder, datasets: template.datasets });
  await env.putHolder({
    holderAccountId: waitingHolder,
    datasets: template.datasets.map((dataset) => (dataset.configurationId === mdl ? { configurationId: mdl, claims: {}, pending: {} } : dataset)),
  });

  let wallet: ReferenceWalletServer | undefined;
  try {
    step('A reference Wallet Server starts and is registered as a tenant');
    const port = await freePort();
    const notificationBaseUrl = `https://127.0.0.1:${port}/s2s`;
    const registration = await env.registerWallet(`Reference Wallet Server ${run}`, notificationBaseUrl);
    registeredTenant = registration.tenantId;
    wallet = await startReferenceWalletServer({
      apiUrl: env.apiUrl,
      clientTls: { certificatePem: registration.certificatePem, privateKeyPem: registration.privateKeyPem, caPem: env.caPem },
      serverTls: { ...env.walletServerTls, clientCaPem: env.caPem },
      port,
      onExchange: show,
    });
    say(`tenant ${registration.tenantId}; the issuer calls it at ${notificationBaseUrl}`);
    say(`issuer metadata read: credential_issuer ${wallet.credentialIssuer}, encryption key ${String(wallet.issuerKey.kid)} (${String(wallet.issuerKey.alg)})`);
    const w = wallet;
    /** The issuer's notification of the client's current status (it may come before or after the answer). */
    const notified = (client: ReferenceWalletClient) =>
      w.waitForCall(
        (call) => call.route === '/verification/notify' && call.body.verificationId === client.ids.verificationId && call.body.status === 'APPROVED',
      );

    step('Flow 1: wallet initiated, verification data known in advance (S2S §Wallet Initiated, Preknown)');
    const flow1 = await w.newClient();
    expectStatus('flow 1', (await flow1.initiate({ credentialConfigurationIds: [mdl], server: [lowRisk], requestedDeviceCount: 2 })).json, 'APPROVED');
    await notified(flow1);

    step('Flow 2: wallet initiated, negotiated (ADDITIONAL_INFO_REQUIRED → supplement → review → APPROVED)');
    const flow2 = await w.newClient();
    expectStatus('flow 2', (await flow2.initiate({ credentialConfigurationIds: [mdl] })).json.status, 'ADDITIONAL_INFO_REQUIRED');
    await proofedByReviewer('flow 2', flow2);

    step('Flow 3: issuer initiated, holder signed in (a Credential Offer with a pre-authorized code)');
    const flow3 = await w.newClient();
    const everyConfiguration = shippedCredentialConfigurations.map((c) => c.id);
    const redeemed = await redeem(flow3, await offer(everyConfiguration, holder, true), everyConfiguration, 2);
    expectStatus('flow 3', redeemed, 'APPROVED');
    await notified(flow3);

    step('Flow 4: issuer initiated, holder not signed in (the offer asks for proofing first)');
    const flow4 = await w.newClient();
    expectStatus('flow 4', await redeem(flow4, await offer([mdl], holder, false), [mdl]), 'ADDITIONAL_INFO_REQUIRED');
    await proofedByReviewer('flow 4', flow4);

    step('Flow 5: device migration (a second device from the flow 1 session, within its authorizedDeviceCount)');
    const flow5 = await w.newClient();
    expectStatus(
      'flow 5',
      (
        await flow5.initiate({
          credentialConfigurationIds: [mdl],
          server: [{ id: 'migration', type: deviceMigrationType, previousSessionId: flow1.ids.sessionId }],
        })
      ).json,
      'APPROVED',
    );
    await notified(flow5);

    step('Issuance of every shipped format to the flow 3 device (provision → nonce → get, decrypted with the Wallet Encryption Key)');
    const instances = await flow3.provision();
    for (const configuration of shippedCredentialConfigurations) {
      const credentialInstanceId = instances.get(configuration.id) as string;
      const issued = await flow3.get(credentialInstanceId, 1);
      if (!issued.issued) throw new DemoStepFailed(`${configuration.id} was deferred`);
      say(`${configuration.id} (${configuration.format}), credentialVersion ${issued.credentialVersion}:`);
      const presentmentKeys = issued.presentmentKeys.map((key) => key.publicJwk);
      for (const credential of issued.credentials) {
        for (const line of describeCredential(configuration.format as ShownFormat, credential, presentmentKeys).split('\n')) say(`  ${line}`);
      }
    }

    step('The issuer suspends the PID (back office); the Wallet Server is told');
    const pidInstance = instances.get(pid) as string;
    const tenantId = registration.tenantId;
    await admin(`/admin/credential-instances/${tenantId}/${pidInstance}/lifecycle`, env.tokens.backOffice, { action: 'SUSPEND', reason: 'fraud_check' });
    await w.waitForCall((call) => call.route === '/credential/manage' && call.body.credentialInstanceId === pidInstance && call.body.action === 'SUSPEND');
    expectStatus('the Wallet Server’s view of the PID', w.instance(pidInstance)?.status, 'SUSPENDED_ISSUER');
    say(`the Wallet Server's view of the PID: ${String(w.instance(pidInstance)?.status)}; a get is refused while it lasts:`);
    await flow3.get(pidInstance, 1).catch((error: Error) => say(error.message.slice(0, 160)));

    step('The holder removes the driving licence from the device: a wallet-side UNLINK');
    const mdlInstance = instances.get(mdl) as string;
    const unlinked = await flow3.manage(mdlInstance, 'UNLINK', 'removed_by_user');
    expectStatus('unlink', unlinked.json.currentStatus, 'UNLINKED');

    step('A deferred credential: the driving licence is still being produced, then becomes ready (CREDENTIAL_READY)');
    const late = await w.newClient();
    expectStatus('deferred flow', await redeem(late, await offer([mdl], waitingHolder, true), [mdl]), 'APPROVED');
    const lateInstance = (await late.provision()).get(mdl) as string;
    const deferred = await late.get(lateInstance, 1);
    if (deferred.issued) throw new DemoStepFailed('the driving licence was not deferred');
    say('202: the issuer has no data yet; the Wallet Server waits for CREDENTIAL_READY instead of polling');
    say("the issuer's registry finishes the licence: its records are written, and the back office says the holder's data changed");
    await env.putHolder({ holderAccountId: waitingHolder, datasets: template.datasets });
    await admin(`/admin/holders/${waitingHolder}/data-changed`, env.tokens.backOffice, {});
    await w.waitForCall(
      (call) => call.route === '/event/notify' && call.body.credentialInstanceId === lateInstance && call.body.eventType === 'CREDENTIAL_READY',
    );
    const ready = await late.get(lateInstance, 1, 'credential ready');
    if (!ready.issued) throw new DemoStepFailed('the driving licence is still deferred after CREDENTIAL_READY');
    say(`issued: credentialVersion ${ready.credentialVersion}`);

    step('Where to look now');
    if (env.temporalUiUrl) {
      say(`Temporal UI: ${env.temporalUiUrl}`);
      say(`  this run's verifications:   WorkflowType = "verificationWorkflow" AND S2sTenantId = "${tenantId}"`);
      say(`  its credential instances:   WorkflowType = "credentialLifecycleWorkflow" AND S2sTenantId = "${tenantId}"`);
      say(`  the suspended PID:          S2sTenantId = "${tenantId}" AND S2sCredentialStatus = "SUSPENDED_ISSUER"`);
    }
    say(`Reviewer console: ${env.adminUrl}/console (the reviewer's or the back office's token; holder ${holder} under "Holders' credentials")`);
    say(`${exchanges} exchanges between the Wallet Server and the Issuer Server.`);
    return { tenantId, steps, exchanges };
  } finally {
    adminAgent.destroy();
    await wallet?.close();
    if (registeredTenant && env.deregisterWallet) {
      await env.deregisterWallet(registeredTenant);
      out(`\n  the demo's Wallet Server (tenant ${registeredTenant}) is deregistered again`);
    }
  }
}
