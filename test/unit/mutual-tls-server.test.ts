import { mkdtempSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import Koa from 'koa';
import { close, createAdminTlsServer, createMutualTlsServer, listen } from '../../api/server';
import type { AppConfig } from '../../config/config';
import { createCertificateAuthority, createCertificateRevocationList, issueCertificate, type IssuedCertificate } from '../../dev/dev-pki';

/**
 * The TLS settings of the Issuer API's listeners (profile §1), over real sockets: the suites
 * offered, renegotiation, and the CRL. No database: the app behind answers 200 to anyone the
 * TLS layer lets through.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'mtls-'));
let caPem: string;
let listed: IssuedCertificate;
let unlisted: IssuedCertificate;
let tlsConfig: AppConfig['tls'];
let crlFile: string;

beforeAll(async () => {
  const ca = await createCertificateAuthority('TLS test CA');
  caPem = ca.certificatePem;
  const server = await issueCertificate(ca, { commonName: 'localhost', usage: 'server', ipAddresses: ['127.0.0.1'] });
  listed = await issueCertificate(ca, { commonName: 'revoked wallet', usage: 'client' });
  unlisted = await issueCertificate(ca, { commonName: 'good wallet', usage: 'client' });
  const file = (name: string, content: string) => (writeFileSync(path.join(dir, name), content), path.join(dir, name));
  tlsConfig = { certFile: file('server.crt', server.certificatePem), keyFile: file('server.key', server.privateKeyPem), clientCaFile: file('ca.crt', caPem) };
  crlFile = file('clients.crl', await createCertificateRevocationList(ca, [listed.certificatePem]));
});

function answering200(): Koa {
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = 'ok';
  });
  return app;
}

async function serve(server: https.Server, run: (port: number) => Promise<void>): Promise<void> {
  const port = await listen(server, '127.0.0.1', 0);
  try {
    await run(port);
  } finally {
    await close(server);
  }
}

/** One GET over a fresh connection; resolves with the status or rejects with the TLS error. */
function get(port: number, options: https.RequestOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = https.request({ host: '127.0.0.1', port, path: '/', ca: caPem, agent: false, ...options }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end();
  });
}

const identity = (issued: IssuedCertificate) => ({ cert: issued.certificatePem, key: issued.privateKeyPem });

describe('the Issuer API listener (mutual TLS)', () => {
  it('accepts TLS 1.3, and TLS 1.2 with an ECDHE AEAD suite', async () => {
    await serve(createMutualTlsServer(answering200(), tlsConfig), async (port) => {
      expect(await get(port, { ...identity(unlisted), minVersion: 'TLSv1.3' })).toBe(200);
      for (const suite of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305']) {
        expect(await get(port, { ...identity(unlisted), maxVersion: 'TLSv1.2', ciphers: suite })).toBe(200);
      }
    });
  });

  it.each(['ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-ECDSA-AES128-SHA'])(
    'refuses the handshake of a TLS 1.2 client offering only the CBC suite %s',
    async (suite) => {
      await serve(createMutualTlsServer(answering200(), tlsConfig), async (port) => {
        await expect(get(port, { ...identity(unlisted), maxVersion: 'TLSv1.2', ciphers: suite })).rejects.toThrow(/handshake failure|no shared cipher/i);
      });
    },
  );

  it('refuses a TLS 1.2 client that asks to renegotiate on an established connection', async () => {
    await serve(createMutualTlsServer(answering200(), tlsConfig), async (port) => {
      let socket: tls.TLSSocket | undefined;
      const outcome = await new Promise<string>((resolve) => {
        const connected = tls.connect({ host: '127.0.0.1', port, ca: caPem, ...identity(unlisted), maxVersion: 'TLSv1.2' }, () => {
          connected.on('error', (error) => resolve(`refused: ${error.message}`));
          connected.on('close', () => resolve('refused: connection closed'));
          connected.resume(); // read, or the server's answer is never seen
          connected.renegotiate({ rejectUnauthorized: true }, (error) => resolve(error ? `refused: ${error.message}` : 'renegotiated'));
        });
        socket = connected;
      });
      socket?.destroy();
      expect(outcome).toMatch(/^refused/);
    });
  });

  it('refuses at the handshake a client certificate listed in the configured CRL, and accepts one that is not', async () => {
    const server = createMutualTlsServer(answering200(), { ...tlsConfig, crlFile });
    await serve(server, async (port) => {
      expect(await get(port, identity(unlisted))).toBe(200);
      // Node ends the handshake without an alert that names the reason: the client sees a reset.
      await expect(get(port, identity(listed))).rejects.toThrow(/ECONNRESET|socket hang up|disconnected/);
    });
  });

  it('accepts the listed certificate when no CRL is configured (the CRL is what refuses it)', async () => {
    await serve(createMutualTlsServer(answering200(), tlsConfig), async (port) => {
      expect(await get(port, identity(listed))).toBe(200);
    });
  });
});

describe('the admin listener', () => {
  it('offers the same suites: a TLS 1.2 client offering only a CBC suite is refused', async () => {
    await serve(createAdminTlsServer(answering200(), tlsConfig), async (port) => {
      expect(await get(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' })).toBe(200);
      await expect(get(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256' })).rejects.toThrow(/handshake failure|no shared cipher/i);
    });
  });
});
