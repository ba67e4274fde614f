import { readFileSync } from 'node:fs';
import { loadIssuerKeyMaterial } from '../../crypto/key-material';
import { runDemo } from '../../dev/demo-script';
import { devMaterialPaths } from '../../dev/dev-material';
import { createIssuerHolderRepository } from '../../store/issuer-holders';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';

/**
 * `npm run demo` as a test: the same narration (dev/demo-script.ts), its reference Wallet Server
 * registered on the test harness, every step checked by the script itself (it throws on an
 * unexpected answer) and its output read here.
 */
let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('npm run demo', () => {
  it('walks a reference Wallet Server through the five flows, issuance of every format, a suspension, an unlink and a deferred credential', async () => {
    const material = devMaterialPaths(h.config.dataDir);
    const holders = createIssuerHolderRepository(h.db, loadIssuerKeyMaterial(h.config).dataKeyring);
    const lines: string[] = [];
    const result = await runDemo(
      {
        apiUrl: h.apiUrl,
        adminUrl: h.adminUrl,
        caPem: h.caPem,
        tokens: { backOffice: h.adminTokens.backOffice, reviewer: h.adminTokens.alice },
        registerWallet: async (name, notificationBaseUrl) => {
          const registered = await h.registerWallet(name, { notificationBaseUrl });
          return { tenantId: registered.tenant._id, certificatePem: registered.certificatePem, privateKeyPem: registered.privateKeyPem };
        },
        walletServerTls: { certificatePem: readFileSync(material.walletTlsCert, 'utf8'), privateKeyPem: readFileSync(material.walletTlsKey, 'utf8') },
        putHolder: (holder) => holders.putHolder(holder),
      },
      (line) => lines.push(line),
    );
    const output = lines.join('\n');
    expect(result.steps).toHaveLength(11);
    expect(result.steps.filter((title) => title.startsWith('Flow '))).toHaveLength(5);
    // Both directions over the wire, every endpoint the Wallet Server serves among them.
    for (const route of [
      '/verification/initiate',
      '/verification/supplement',
      '/credential/provision',
      '/credential/get',
      '/credential/manage',
      '/event/notify',
    ]) {
      expect(output).toContain(`Wallet Server → Issuer  POST ${route}`);
    }
    for (const route of ['/verification/notify', '/credential/manage', '/event/notify']) expect(output).toContain(`Issuer → Wallet Server  POST ${route}`);
    // Every format decoded, the suspension seen by the Wallet Server, the deferred licence issued.
    for (const format of ['dc+sd-jwt', 'mso_mdoc', 'jwt_vc_json']) expect(output).toContain(`(${format}), credentialVersion`);
    expect(output).toContain("the Wallet Server's view of the PID: SUSPENDED_ISSUER");
    expect(output).toContain('"eventType":"CREDENTIAL_READY"');
    expect(result.exchanges).toBeGreaterThan(30);
  }, 180_000);
});
