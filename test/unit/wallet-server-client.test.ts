import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { classifyResponse, createWalletServerClient, deterministicRequestId, retryAfterMs } from '../../clients/wallet-servers/wallet-server-client';
import { createCertificateAuthority, issueCertificate } from '../../dev/dev-pki';
import { defaultMaxResponseBytes, draftBackoffWindowsMs, maxOutboundAttempts, outboundRetryDelayMs } from '../../domain/outbound-retry';

const now = Date.parse('2026-11-25T12:00:00Z');

describe('classifying a Wallet Server answer (S2S §Rate Limiting)', () => {
  it.each([200, 201, 202, 204])('counts %i as delivered', (status) => {
    expect(classifyResponse(status, undefined, now)).toEqual({ outcome: 'delivered', status });
  });

  it.each([408, 429, 500, 502, 503, 504])('counts %i as retryable', (status) => {
    expect(classifyResponse(status, undefined, now)).toEqual({ outcome: 'retryable', status, reason: `answered ${status}` });
  });

  it.each([301, 400, 401, 403, 404, 409, 413, 422])('counts %i as refused for good', (status) => {
    expect(classifyResponse(status, '5', now)).toEqual({ outcome: 'refused', status, reason: `answered ${status}` });
  });

  it('carries a 429’s Retry-After in delta-seconds', () => {
    expect(classifyResponse(429, '3', now)).toMatchObject({ outcome: 'retryable', retryAfterMs: 3000 });
  });

  it('carries a 429’s Retry-After as an HTTP-date', () => {
    expect(classifyResponse(429, 'Wed, 25 Nov 2026 12:00:05 GMT', now)).toMatchObject({ outcome: 'retryable', retryAfterMs: 5000 });
  });

  it('carries Retry-After values beyond the draft’s 30 s as given (the ceiling is the caller’s)', () => {
    expect(classifyResponse(429, '7200', now)).toMatchObject({ retryAfterMs: 7_200_000 });
    expect(classifyResponse(429, 'Wed, 25 Nov 2026 13:00:00 GMT', now)).toMatchObject({ retryAfterMs: 3_600_000 });
  });

  it('honours a 503’s Retry-After too (RFC 9110 §10.2.3)', () => {
    expect(classifyResponse(503, '2', now)).toMatchObject({ outcome: 'retryable', status: 503, retryAfterMs: 2000 });
  });

  it('reads a past HTTP-date as no wait and ignores an unreadable Retry-After', () => {
    expect(retryAfterMs('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(classifyResponse(429, 'soon', now)).toEqual({ outcome: 'retryable', status: 429, reason: 'answered 429' });
  });
});

describe('the delay before the next attempt (S2S §Rate Limiting)', () => {
  const ceiling = 3_600_000;

  it('draws each retry’s delay from the draft’s window for that retry', () => {
    expect(draftBackoffWindowsMs).toEqual([
      [0, 1000],
      [1100, 5000],
      [5100, 30000],
    ]);
    for (const [index, [low, high]] of draftBackoffWindowsMs.entries()) {
      expect(outboundRetryDelayMs({ attempt: index + 1, retryAfterCeilingMs: ceiling, random: () => 0 })).toBe(low);
      expect(outboundRetryDelayMs({ attempt: index + 1, retryAfterCeilingMs: ceiling, random: () => 0.999999 })).toBe(high);
      const drawn = outboundRetryDelayMs({ attempt: index + 1, retryAfterCeilingMs: ceiling, random: Math.random }) as number;
      expect(drawn).toBeGreaterThanOrEqual(low);
      expect(drawn).toBeLessThanOrEqual(high);
    }
  });

  it('honours Retry-After as given, up to the ceiling', () => {
    expect(outboundRetryDelayMs({ attempt: 1, retryAfterMs: 3000, retryAfterCeilingMs: ceiling, random: () => 0 })).toBe(3000);
    expect(outboundRetryDelayMs({ attempt: 2, retryAfterMs: 45_000, retryAfterCeilingMs: ceiling, random: () => 0 })).toBe(45_000);
    expect(outboundRetryDelayMs({ attempt: 3, retryAfterMs: 7_200_000, retryAfterCeilingMs: ceiling, random: () => 0 })).toBe(ceiling);
  });

  it('allows no fourth retry', () => {
    expect(maxOutboundAttempts).toBe(4);
    expect(outboundRetryDelayMs({ attempt: 4, retryAfterMs: 1000, retryAfterCeilingMs: ceiling, random: () => 0 })).toBeUndefined();
  });
});

describe('one attempt that gets no HTTP answer', () => {
  const client = createWalletServerClient({ certificatePem: '', privateKeyPem: '', requestTimeoutMs: 300 });
  afterAll(() => client.close());

  it('is retryable when the connection is refused', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const answer = await client.post(`https://127.0.0.1:${port}/verification/notify`, {}, 'id-1');
    expect(answer).toMatchObject({ outcome: 'retryable', reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('is retryable, and ends within the request timeout, when the server never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const started = Date.now();
    const answer = await client.post(`https://127.0.0.1:${port}/verification/notify`, {}, 'id-2');
    const took = Date.now() - started;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    expect(answer).toEqual({ outcome: 'retryable', reason: 'no answer within 300 ms' });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2000);
  });
});

describe('the size of a Wallet Server’s answer (profile §14)', () => {
  const requestTimeoutMs = 10_000;
  let server: https.Server;
  let url: string;
  let client: ReturnType<typeof createWalletServerClient>;
  /** Bytes of body the server got to write per path before the client went away. */
  const written = new Map<string, number>();

  beforeAll(async () => {
    const ca = await createCertificateAuthority('answer size test CA');
    const serverCert = await issueCertificate(ca, { commonName: 'localhost', usage: 'server', ipAddresses: ['127.0.0.1'] });
    const issuerCert = await issueCertificate(ca, { commonName: 'issuer', usage: 'client' });
    server = https.createServer({ cert: serverCert.certificatePem, key: serverCert.privateKeyPem }, (req, res) => {
      req.resume();
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      written.set(req.url ?? '', 0);
      const count = (n: number) => written.set(req.url ?? '', (written.get(req.url ?? '') ?? 0) + n);
      if (req.url === '/endless') {
        // 200, no Content-Length, and body until the client hangs up.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) count(chunk.length);
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        pump();
      } else if (req.url === '/declared-huge') {
        // Announces 10 GB, then trickles.
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(10 * 1024 ** 3) });
        res.write(chunk);
        count(chunk.length);
      } else if (req.url === '/just-under') {
        const body = Buffer.alloc(defaultMaxResponseBytes, 0x20);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
        res.end(body);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = createWalletServerClient({
      certificatePem: issuerCert.certificatePem,
      privateKeyPem: issuerCert.privateKeyPem,
      caPem: ca.certificatePem,
      requestTimeoutMs,
    });
  });
  afterAll(async () => {
    client?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('stops reading an endless 200 body once it passes the limit, long before the deadline, and does not retry it', async () => {
    const started = Date.now();
    const answer = await client.post(`${url}/endless`, {}, 'id-big-1');
    const took = Date.now() - started;
    expect(answer).toEqual({ outcome: 'refused', status: 200, reason: `answered 200 with a body over ${defaultMaxResponseBytes} bytes` });
    expect(took).toBeLessThan(requestTimeoutMs / 2);
    // The server could only write until the connection closed: a bounded amount, not the stream.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(written.get('/endless')).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a body whose Content-Length is over the limit without waiting for it', async () => {
    const started = Date.now();
    const answer = await client.post(`${url}/declared-huge`, {}, 'id-big-2');
    expect(answer).toMatchObject({ outcome: 'refused', status: 200 });
    expect(Date.now() - started).toBeLessThan(requestTimeoutMs / 2);
  });

  it('delivers an answer whose body is exactly at the limit', async () => {
    expect(await client.post(`${url}/just-under`, {}, 'id-big-3')).toEqual({ outcome: 'delivered', status: 200 });
  });
});

describe('x-request-id of a notification', () => {
  it('derives one stable UUIDv8 per (verification, status version)', () => {
    const id = deterministicRequestId('verification-notify', 'v-1', '2');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicRequestId('verification-notify', 'v-1', '2')).toBe(id);
    expect(deterministicRequestId('verification-notify', 'v-1', '3')).not.toBe(id);
    expect(deterministicRequestId('verification-notify', 'v-2', '2')).not.toBe(id);
  });
});
