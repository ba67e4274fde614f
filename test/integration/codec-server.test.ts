import http from 'node:http';
import { defaultPayloadConverter } from '@temporalio/common';
import { startCodecServer } from '../../dev/codec-server';
import { generateDataKeyringJson, parseDataKeyring } from '../../crypto/data-encryption';
import { createPayloadCodec } from '../../crypto/temporal-payload-codec';

describe('codec server for the Temporal Web UI', () => {
  const codec = createPayloadCodec(parseDataKeyring(generateDataKeyringJson('k'), 'test'), { acceptPlaintext: true });
  const uiOrigin = 'http://localhost:8233';
  const asJson = async (value: unknown) => {
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
    return {
      payloads: [
        {
          metadata: Object.fromEntries(Object.entries(encoded?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v as Uint8Array).toString('base64')])),
          data: Buffer.from(encoded?.data ?? []).toString('base64'),
        },
      ],
    };
  };

  it('decodes what the PayloadCodec encoded at its tokened URL, with CORS for the UI origin and no credentials', async () => {
    const server = await startCodecServer({ codec, port: 0, allowedOrigins: [uiOrigin] });
    try {
      const response = await fetch(`${server.url}/decode`, {
        method: 'POST',
        body: JSON.stringify(await asJson({ status: 'PENDING' })),
        headers: { 'content-type': 'application/json', origin: uiOrigin, 'x-namespace': 'default' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(uiOrigin);
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      const { payloads } = (await response.json()) as { payloads: { data: string }[] };
      expect(JSON.parse(Buffer.from(payloads[0]?.data ?? '', 'base64').toString())).toEqual({ status: 'PENDING' });
      // The Web UI 2.54 asks with a query string.
      const withQuery = await fetch(`${server.url}/decode?preserveStorageRefs=true`, {
        method: 'POST',
        body: JSON.stringify(await asJson({ status: 'APPROVED' })),
        headers: { 'content-type': 'application/json', origin: uiOrigin, 'x-namespace': 'default' },
      });
      expect(withQuery.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('refuses encoding, a wrong token, a foreign Host (DNS rebinding), a foreign origin and oversized bodies', async () => {
    const server = await startCodecServer({ codec, port: 0, allowedOrigins: [uiOrigin] });
    const base = new URL(server.url);
    const post = (path: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
      fetch(`${base.origin}${path}`, {
        method: 'POST',
        body: init.body ?? JSON.stringify({ payloads: [] }),
        headers: { 'content-type': 'application/json', ...init.headers },
      });
    try {
      expect((await post(`${base.pathname}/encode`)).status).toBe(404);
      expect((await post('/wrong-token/decode')).status).toBe(404);
      expect((await post('/decode')).status).toBe(404);
      // A rebinding attacker's page reaches the port under its own host name.
      const rebound = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          {
            host: base.hostname,
            port: base.port,
            path: `${base.pathname}/decode`,
            method: 'POST',
            headers: { host: `evil.example:${base.port}`, 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end('{"payloads":[]}');
      });
      expect(rebound).toBe(421);
      const foreign = await post(`${base.pathname}/decode`, { headers: { origin: 'https://evil.example' } });
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
      const oversized = await post(`${base.pathname}/decode`, { body: JSON.stringify({ payloads: [], padding: 'x'.repeat(2 * 1024 * 1024) }) }).catch(() => ({
        status: 413,
      }));
      expect(oversized.status).toBe(413);
    } finally {
      await server.close();
    }
  });
});
