import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { createCertificateAuthority, issueCertificate, loadCertificateAuthority } from '../../dev/dev-pki';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { approvableInitiate } from '../support/wallet-requests';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '../../dist/cli/register-wallet-server.js');
const deregisterCli = path.resolve(__dirname, '../../dist/cli/deregister-wallet-server.js');

let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness();
});
afterAll(async () => {
  await h?.close();
});

function cliEnv() {
  return { ...process.env, MONGODB_URI: h.config.mongo.uri, MONGODB_DATABASE: h.config.mongo.database, S2S_TLS_CLIENT_CA: h.config.tls.clientCaFile };
}

describe('npm run register-wallet-server', () => {
  it('registers a Wallet Server whose certificate the API then accepts', async () => {
    const certFile = path.join(h.config.dataDir, 'unregistered.crt');
    writeFileSync(certFile, h.unregistered.certificatePem);
    const before = await h.http.post('/verification/initiate', await approvableInitiate(), { identity: h.unregistered });
    expect(before.status).toBe(401);

    const { stdout } = await run(process.execPath, [cli, '--name', 'Late Wallet', '--cert', certFile, '--notification-url', 'https://late.example/s2s/'], {
      env: cliEnv(),
    });
    expect(JSON.parse(stdout)).toMatchObject({ tenantId: expect.any(String), name: 'Late Wallet', notificationBaseUrl: 'https://late.example/s2s' });

    const after = await h.http.post('/verification/initiate', await approvableInitiate(), { identity: h.unregistered });
    expect(after.status).toBe(200);
  });

  it('refuses a certificate the TLS layer would refuse, and a plain-http notification URL', async () => {
    const foreignCa = await createCertificateAuthority('elsewhere');
    const foreign = await issueCertificate(foreignCa, { commonName: 'x', usage: 'client' });
    const foreignFile = path.join(h.config.dataDir, 'foreign.crt');
    writeFileSync(foreignFile, foreign.certificatePem);
    await expect(
      run(process.execPath, [cli, '--name', 'x', '--cert', foreignFile, '--notification-url', 'https://x.example'], { env: cliEnv() }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('not issued by the configured client CA'),
    });

    const certFile = path.join(h.config.dataDir, 'wallet-a.crt');
    writeFileSync(certFile, h.walletA.certificatePem);
    await expect(
      run(process.execPath, [cli, '--name', 'x', '--cert', certFile, '--notification-url', 'http://x.example'], { env: cliEnv() }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('https'),
    });
  });

  it('stores the quotas given as options on the tenant, and refuses a quota that is not a positive number', async () => {
    const issued = await issueCertificate(await loadCertificateAuthority(h.caPem, readFileSync(path.join(h.config.dataDir, 'pki', 'ca.key'), 'utf8')), {
      commonName: 'quota-wallet',
      usage: 'client',
    });
    const certFile = path.join(h.config.dataDir, 'quota-wallet.crt');
    writeFileSync(certFile, issued.certificatePem);
    const base = [cli, '--name', 'Quota Wallet', '--cert', certFile, '--notification-url', 'https://quota.example/s2s'];
    await expect(run(process.execPath, [...base, '--rate-limit', '0'], { env: cliEnv() })).rejects.toMatchObject({
      stderr: expect.stringContaining('ratePerSecond'),
    });
    const { stdout } = await run(process.execPath, [...base, '--rate-limit', '2', '--burst', '4', '--max-open-verifications', '7'], { env: cliEnv() });
    const printed = JSON.parse(stdout) as { tenantId: string; quotas: unknown };
    expect(printed.quotas).toMatchObject({ ratePerSecond: 2, burst: 4, maxOpenVerifications: 7 });
    expect((await h.deps.tenants.findById(printed.tenantId))?.quotas).toEqual({ ratePerSecond: 2, burst: 4, maxOpenVerifications: 7 });

    // The API applies them: the fifth request in a row exceeds the burst of 4.
    const statuses = [];
    for (let n = 0; n < 5; n += 1)
      statuses.push((await h.http.post('/verification/status', { sessionId: randomUUID(), verificationId: randomUUID() }, { identity: issued })).status);
    expect(statuses).toEqual([404, 404, 404, 404, 429]);
  });

  it('prints usage and exits 2 without the required options', async () => {
    await expect(run(process.execPath, [cli, '--name', 'x'], { env: cliEnv() })).rejects.toMatchObject({
      code: 2,
      stdout: expect.stringContaining('--notification-url'),
    });
  });
});

/** A Wallet Server's client that keeps one connection open across requests (HTTP keep-alive). */
function keptAliveClient(identity: { certificatePem: string; privateKeyPem: string }) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: h.caPem, cert: identity.certificatePem, key: identity.privateKeyPem });
  const sockets = new Set<unknown>();
  const get = (route: string) =>
    new Promise<{ status: number; type?: string; socketsUsed: number }>((resolve, reject) => {
      const request = https.get(new URL(route, h.apiUrl), { agent }, (response) => {
        sockets.add(response.socket);
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const type = response.statusCode === 200 ? undefined : (JSON.parse(body) as { type: string }).type;
          resolve({ status: response.statusCode ?? 0, ...(type ? { type } : {}), socketsUsed: sockets.size });
        });
      });
      request.on('error', reject);
    });
  return { get, close: () => agent.destroy() };
}

/** Long enough for every API process's tenant lookup cache to forget (profile §1). */
const afterTenantCache = () => new Promise((resolve) => setTimeout(resolve, h.config.api.tenantCacheMs + 100));

describe('npm run deregister-wallet-server', () => {
  it('revokes a certificate: the next request on the same kept-alive connection is refused, and it can never be registered again', async () => {
    const wallet = await h.registerWallet('revoked-wallet');
    const certFile = path.join(h.config.dataDir, 'revoked-wallet.crt');
    writeFileSync(certFile, wallet.certificatePem);
    const client = keptAliveClient(wallet);
    try {
      expect(await client.get('/openapi.json')).toEqual({ status: 200, socketsUsed: 1 });

      const { stdout } = await run(process.execPath, [deregisterCli, '--revoke-cert', certFile], { env: cliEnv() });
      expect(JSON.parse(stdout)).toMatchObject({ revoked: expect.any(String), tenantId: wallet.tenant._id });
      await afterTenantCache();

      // Same socket as before the revocation: the certificate is checked again, not remembered.
      expect(await client.get('/openapi.json')).toEqual({ status: 401, type: 'urn:s2s-issuer:problem:unknown-client', socketsUsed: 1 });
    } finally {
      client.close();
    }
    await expect(
      run(process.execPath, [cli, '--name', 'again', '--cert', certFile, '--notification-url', 'https://again.example'], { env: cliEnv() }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('revoked') });
    // Other Wallet Servers are untouched.
    expect((await h.http.get('/openapi.json', h.walletA)).status).toBe(200);
  });

  it('rotates a Wallet Server’s certificate: a second one for the same tenant, then the old one revoked', async () => {
    const wallet = await h.registerWallet('rotating-wallet');
    const ca = await loadCertificateAuthority(
      readFileSync(h.config.tls.clientCaFile, 'utf8'),
      readFileSync(path.join(h.config.dataDir, 'pki', 'ca.key'), 'utf8'),
    );
    const next = await issueCertificate(ca, { commonName: 'rotating-wallet', usage: 'client' });
    const [oldFile, newFile] = [path.join(h.config.dataDir, 'rotating-old.crt'), path.join(h.config.dataDir, 'rotating-new.crt')];
    writeFileSync(oldFile, wallet.certificatePem);
    writeFileSync(newFile, next.certificatePem);
    const started = await h.http.post('/verification/initiate', await approvableInitiate(), { identity: wallet });
    expect(started.status).toBe(200);
    const ids = { sessionId: started.json.sessionId as string, verificationId: started.json.verificationId as string };

    const { stdout } = await run(process.execPath, [cli, '--tenant', wallet.tenant._id, '--cert', newFile], { env: cliEnv() });
    expect(JSON.parse(stdout)).toMatchObject({ tenantId: wallet.tenant._id, added: expect.any(String) });
    // The same Wallet Server with either certificate: its sessions answer to both.
    for (const identity of [wallet, next]) expect((await h.http.post('/verification/status', ids, { identity })).status).toBe(200);

    await run(process.execPath, [deregisterCli, '--revoke-cert', oldFile], { env: cliEnv() });
    await afterTenantCache();
    expect((await h.http.post('/verification/status', ids, { identity: wallet })).status).toBe(401);
    expect((await h.http.post('/verification/status', ids, { identity: next })).status).toBe(200);
    // Another Wallet Server's certificate cannot be added to this one.
    const otherFile = path.join(h.config.dataDir, 'other-wallet.crt');
    writeFileSync(otherFile, h.walletB.certificatePem);
    await expect(run(process.execPath, [cli, '--tenant', wallet.tenant._id, '--cert', otherFile], { env: cliEnv() })).rejects.toMatchObject({
      stderr: expect.stringContaining('another Wallet Server'),
    });
  });

  it('deregisters a Wallet Server: its certificate is refused on an open connection, its records stay', async () => {
    const wallet = await h.registerWallet('leaving-wallet');
    const client = keptAliveClient(wallet);
    try {
      const body = await approvableInitiate();
      const initiated = await h.http.post('/verification/initiate', body, { identity: wallet });
      expect(initiated.status).toBe(200);
      expect(await client.get('/openapi.json')).toEqual({ status: 200, socketsUsed: 1 });

      const { stdout } = await run(process.execPath, [deregisterCli, '--tenant', wallet.tenant._id], { env: cliEnv() });
      expect(JSON.parse(stdout)).toMatchObject({ deregistered: wallet.tenant._id, deregisteredAt: expect.any(String) });
      await afterTenantCache();

      expect(await client.get('/openapi.json')).toEqual({ status: 401, type: 'urn:s2s-issuer:problem:unknown-client', socketsUsed: 1 });
      expect((await h.http.post('/verification/initiate', await approvableInitiate(), { identity: wallet })).status).toBe(401);
      // Retention: the tenant and its verification stay in the store.
      expect(await h.deps.tenants.findById(wallet.tenant._id)).toMatchObject({ name: 'leaving-wallet', deregisteredAt: expect.any(Date) });
      expect(await h.deps.sessions.find({ tenantId: wallet.tenant._id, sessionId: body.sessionId }, initiated.json.verificationId)).not.toBeNull();
    } finally {
      client.close();
    }
  });

  it('prints usage and exits 2 unless exactly one of the options is given', async () => {
    await expect(run(process.execPath, [deregisterCli], { env: cliEnv() })).rejects.toMatchObject({
      code: 2,
      stdout: expect.stringContaining('--revoke-cert'),
    });
    await expect(run(process.execPath, [deregisterCli, '--tenant', 'a', '--revoke-thumbprint', 'b'], { env: cliEnv() })).rejects.toMatchObject({ code: 2 });
  });
});
