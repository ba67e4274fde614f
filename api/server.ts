import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { AppConfig } from '../config/config';

/**
 * HTTPS with mutual TLS (S2S §Server Authentication, RFC 8705): a client without a certificate
 * chaining to the configured CA is refused during the handshake, before any HTTP is read.
 */
export function createMutualTlsServer(app: Koa<never> | Koa, tls: AppConfig['tls']): https.Server {
  return https.createServer(
    {
      cert: readFileSync(tls.certFile),
      key: readFileSync(tls.keyFile),
      ca: readFileSync(tls.clientCaFile),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2', // S2S §Transport: TLS 1.2+
    },
    app.callback(),
  );
}

/** HTTPS without client certificates, for the reviewers' admin API (bearer tokens instead). */
export function createAdminTlsServer(app: Koa<never> | Koa, tls: AppConfig['tls']): https.Server {
  return https.createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), minVersion: 'TLSv1.2' }, app.callback());
}

export function listen(server: https.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting connections and closes idle keep-alive ones; resolves when all are closed. */
export function close(server: https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
