import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTracing, tracedCall } from '../../observability/tracing';

/**
 * Traces leave the process by OTLP/HTTP when an endpoint is configured (the standard
 * OTEL_EXPORTER_OTLP_* variables, config/config.ts): here to a receiver of the test's own.
 */
describe('OTLP export', () => {
  it('posts the finished spans, with the service name, to the configured endpoint', async () => {
    const received: { path: string; type: string; body: string }[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    const tracing = startTracing({ serviceName: 's2s-issuer-worker', otlpEndpoint: `http://127.0.0.1:${port}/v1/traces` });
    try {
      expect(tracing).toBeDefined();
      await tracedCall('POST /credential/manage', { 'url.path': '/credential/manage' }, async (span) => span.setAttribute('s2s.outcome', 'delivered'));
    } finally {
      await tracing?.shutdown();
      await new Promise((resolve) => receiver.close(resolve));
    }
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ path: '/v1/traces', type: expect.stringContaining('application/json') });
    const body = received[0]?.body ?? '';
    expect(body).toContain('"POST /credential/manage"');
    expect(body).toContain('s2s-issuer-worker');
  });

  it('sets nothing up without an endpoint: spans are OpenTelemetry’s no-op', () => {
    expect(startTracing({ serviceName: 's2s-issuer-api' })).toBeUndefined();
  });
});
