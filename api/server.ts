import { constants } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type Koa from 'koa';
import type { AppConfig } from '../config/config';

/**
 * The only suites offered (S2S §Transport: TLS 1.2+). TLS 1.3 suites are all AEAD; for TLS 1.2
 * only ECDHE key exchange (forward secrecy) with an AEAD cipher, AES-GCM or ChaCha20-Poly1305:
 * no CBC, no static RSA key exchange, no SHA-1 MACs. ECDSA and RSA server keys both work.
 */
export const tlsCipherSuites = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');

/** Settings both listeners share: TLS 1.2 or later, the suites above, no renegotiation. */
function hardenedTlsOptions(tls: AppConfig['tls']): https.ServerOptions {
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    minVersion: 'TLSv1.2', // S2S §Transport: TLS 1.2+
    ciphers: tlsCipherSuites,
    honorCipherOrder: true,
    // TLS 1.2 renegotiation lets a client restart the handshake on a live connection: a CPU cost
    // it can repeat at will, and a second certificate on a socket whose tenant was established by
    // the first. OpenSSL refuses it outright with this flag (TLS 1.3 has no renegotiation).
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
  };
}

/** Belt and braces with SSL_OP_NO_RENEGOTIATION: Node destroys a socket that tries to renegotiate. */
function refuseRenegotiation(server: https.Server): https.Server {
  server.on('secureConnection', (socket: TLSSocket) => socket.disableRenegotiation());
  return server;
}

/**
 * HTTPS with mutual TLS (S2S §Server Authentication, RFC 8705): a client without a certificate
 * chaining to the configured CA is refused during the handshake, before any HTTP is read; so is
 * one listed in the configured CRL (`S2S_TLS_CRL_FILE`, profile §1).
 */
export function createMutualTlsServer(app: Koa<never> | Koa, tls: AppConfig['tls']): https.Server {
  return refuseRenegotiation(
    https.createServer(
      {
        ...hardenedTlsOptions(tls),
        ca: readFileSync(tls.clientCaFile),
        // With a CRL, OpenSSL checks every certificate of the chain against a CRL of its issuer,
        // so the file must hold a current CRL from each CA below the root (profile §1).
        ...(tls.crlFile ? { crl: readFileSync(tls.crlFile) } : {}),
        requestCert: true,
        rejectUnauthorized: true,
      },
      app.callback(),
    ),
  );
}

/** HTTPS without client certificates, for the reviewers' admin API (bearer tokens instead). */
export function createAdminTlsServer(app: Koa<never> | Koa, tls: AppConfig['tls']): https.Server {
  return refuseRenegotiation(https.createServer(hardenedTlsOptions(tls), app.callback()));
}

/**
 * HTTPS without client certificates for the Token Status Lists (profile §Status lists): any
 * Relying Party that holds a credential fetches its list, so nothing is asked of the client.
 */
export function createPublicTlsServer(app: Koa<never> | Koa, tls: AppConfig['tls']): https.Server {
  return refuseRenegotiation(https.createServer(hardenedTlsOptions(tls), app.callback()));
}

export function listen(server: http.Server | https.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting connections and closes idle keep-alive ones; resolves when all are closed. */
export function close(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
