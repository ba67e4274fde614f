import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';

/**
 * A Temporal codec server (POST /encode, POST /decode) so that operators see decoded payloads in
 * the Temporal Web UI (`temporal server start-dev --ui-codec-endpoint`). Payloads hold only
 * identifiers and states, but they are encrypted at rest by the PayloadCodec. Bind it to
 * loopback or put it behind the operators' authentication: it decrypts for whoever can reach it.
 */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const toPayload = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export async function startCodecServer(options: { codec: PayloadCodec; port: number; host?: string; allowedOrigins: string[] }) {
  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    const cors = {
      'Access-Control-Allow-Origin': origin && options.allowedOrigins.includes(origin) ? origin : (options.allowedOrigins[0] ?? 'null'),
      Vary: 'Origin',
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': 'content-type, x-namespace',
      'Access-Control-Allow-Credentials': 'true',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    const operation = req.url === '/decode' ? 'decode' : req.url === '/encode' ? 'encode' : undefined;
    if (req.method !== 'POST' || !operation) {
      res.writeHead(404, cors).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        try {
          const { payloads } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payloads: JsonPayload[] };
          const result = await options.codec[operation](payloads.map(toPayload));
          res.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify({ payloads: result.map(toJson) }));
        } catch {
          res.writeHead(400, cors).end();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
