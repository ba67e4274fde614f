import { defaultPayloadConverter } from '@temporalio/common';
import { startCodecServer } from '../../dev/codec-server';
import { generateDataKeyringJson, parseDataKeyring } from '../../crypto/data-encryption';
import { createPayloadCodec } from '../../crypto/temporal-payload-codec';

describe('codec server for the Temporal Web UI', () => {
  it('decodes what the PayloadCodec encoded, with CORS for the UI origin', async () => {
    const codec = createPayloadCodec(parseDataKeyring(generateDataKeyringJson('k'), 'test'));
    const server = await startCodecServer({ codec, port: 0, allowedOrigins: ['http://localhost:8233'] });
    try {
      const [encoded] = await codec.encode([defaultPayloadConverter.toPayload({ status: 'PENDING' })]);
      const json = {
        payloads: [
          {
            metadata: Object.fromEntries(Object.entries(encoded?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v as Uint8Array).toString('base64')])),
            data: Buffer.from(encoded?.data ?? []).toString('base64'),
          },
        ],
      };
      const response = await fetch(`${server.url}/decode`, {
        method: 'POST',
        body: JSON.stringify(json),
        headers: { 'content-type': 'application/json', origin: 'http://localhost:8233', 'x-namespace': 'default' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
      const { payloads } = (await response.json()) as { payloads: { data: string }[] };
      expect(JSON.parse(Buffer.from(payloads[0]?.data ?? '', 'base64').toString())).toEqual({ status: 'PENDING' });
    } finally {
      await server.close();
    }
  });
});
