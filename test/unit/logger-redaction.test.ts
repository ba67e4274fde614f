import { Writable } from 'node:stream';
import { createLogger, redactedMarker } from '../../config/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('test', 'info', stream), lines };
}

describe('log redaction', () => {
  it('redacts secret members at any depth, keeps identifiers', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        tenantId: 'tenant-1',
        request: { headers: { Authorization: 'Bearer top-secret-token' } },
        keys: [{ kty: 'EC', crv: 'P-256', x: 'public-x', d: 'private-scalar' }],
        nested: { deeper: { evenDeeper: { oneTimeCode: { code: '12345678' }, proof: { kid: 'api', mac: 'the-mac' } } } },
        body: { walletSigningKeyData: { jwk: {} }, verificationData: { givenName: 'Erika' } },
      },
      'something happened',
    );
    const line = lines.join('');
    for (const secret of ['top-secret-token', 'private-scalar', '12345678', 'the-mac', 'Erika']) expect(line).not.toContain(secret);
    const logged = JSON.parse(line) as { tenantId: string; keys: { x: string; d: string }[]; request: { headers: { Authorization: string } } };
    expect(logged.tenantId).toBe('tenant-1');
    expect(logged.keys[0]).toMatchObject({ x: 'public-x', d: redactedMarker });
    expect(logged.request.headers.Authorization).toBe(redactedMarker);
  });

  it('still serialises errors with their type and message', () => {
    const { logger, lines } = capture();
    logger.error({ err: new TypeError('boom') }, 'failed');
    expect(JSON.parse(lines.join(''))).toMatchObject({ err: { type: 'TypeError', message: 'boom' } });
  });

  it('cuts objects nested deeper than a log line needs', () => {
    const { logger, lines } = capture();
    let deep: Record<string, unknown> = { secretValue: 'leaf' };
    for (let i = 0; i < 20; i += 1) deep = { inner: deep };
    logger.info({ deep }, 'deep');
    expect(lines.join('')).not.toContain('leaf');
  });
});
