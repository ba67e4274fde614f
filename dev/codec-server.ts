import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';

/**
 * A Temporal codec server so that operators see decoded payloads in the Temporal Web UI
 * (`temporal server start-dev --ui-codec-endpoint <url>`; the UI calls `<url>/decode`). It decrypts
 * for whoever can reach it, so it is locked down:
 * - decode only: no `/encode`, so nobody can use it to make payloads the worker would accept;
 * - a random token in its URL (the UI gets the whole URL; a web page in the browser cannot guess it);
 * - the Host header must name this loopback listener (no DNS rebinding);
 * - CORS only for the UI's origins, without credentials; request bodies up to 1 MiB.
 */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const maxBodyBytes = 1024 * 1024;

const toPayload = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export async function startCodecServer(options: { codec: PayloadCodec; port: number; host?: string; allowedOrigins: string[]; token?: string }) {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(32).toString('base64url');
  let allowedHosts: string[] = [];
  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    const cors: Record<string, string> = { Vary: 'Origin' };
    if (origin && options.allowedOrigins.includes(origin)) {
      Object.assign(cors, {
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'content-type, x-namespace',
      });
    }
    if (!allowedHosts.includes(req.headers.host ?? '')) {
      res.writeHead(421, cors).end();
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    // The Web UI (2.54) adds query parameters (`?preserveStorageRefs=true`): the path decides.
    const pathname = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || pathname !== `/${token}/decode`) {
      res.writeHead(404, cors).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        res.writeHead(413, cors).end();
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      void (async () => {
        try {
          const { payloads } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payloads: JsonPayload[] };
          const result = await options.codec.decode(payloads.map(toPayload));
          res.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify({ payloads: result.map(toJson) }));
        } catch {
          res.writeHead(400, cors).end();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, host, resolve));
  const port = (server.address() as AddressInfo).port;
  allowedHosts = [`${host}:${port}`, `localhost:${port}`];
  return {
    /** The endpoint to give the Web UI (it appends `/decode`); holds the token. */
    url: `http://${host}:${port}/${token}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
