import { randomUUID } from 'node:crypto';
import { createCertificateAuthority, issueCertificate } from '../../dev/dev-pki';
import { createWalletServerClient } from '../../clients/wallet-servers/wallet-server-client';
import { startNotificationReceiver, type NotificationReceiver } from '../../wallet/notification-receiver';

let receiver: NotificationReceiver;
let client: ReturnType<typeof createWalletServerClient>;

beforeAll(async () => {
  const ca = await createCertificateAuthority('client test CA');
  const server = await issueCertificate(ca, { commonName: 'localhost', usage: 'server', ipAddresses: ['127.0.0.1'] });
  const issuer = await issueCertificate(ca, { commonName: 'issuer', usage: 'client' });
  receiver = await startNotificationReceiver({ certificatePem: server.certificatePem, privateKeyPem: server.privateKeyPem, clientCaPem: ca.certificatePem });
  client = createWalletServerClient({
    certificatePem: issuer.certificatePem,
    privateKeyPem: issuer.privateKeyPem,
    caPem: ca.certificatePem,
    requestTimeoutMs: 1000,
  });
});
afterAll(async () => {
  client?.close();
  await receiver?.close();
});

/** A path of its own per test, so each test scripts only its own answers. */
const pathOfThisTest = () => `/${randomUUID()}/verification/notify`;
const on = (path: string) => (request: { path: string }) => request.path === path;

describe('Wallet Server client over mTLS: one attempt, classified (S2S §Rate Limiting)', () => {
  it('delivers with the issuer’s client certificate, Api-Version and the given x-request-id', async () => {
    const path = pathOfThisTest();
    // The answer's JSON comes back with it (a /credential/status answer carries the Wallet Server's view).
    expect(await client.post(`${receiver.url}${path}`, { sessionId: 's', verificationId: 'v' }, 'id-1')).toEqual({
      outcome: 'delivered',
      status: 200,
      body: { sessionId: 's', verificationId: 'v' },
    });
    const [attempt] = receiver.attempts.filter((a) => a.path === path);
    expect(attempt).toMatchObject({ clientCertificateSubject: 'issuer', body: { sessionId: 's', verificationId: 'v' } });
    expect(attempt?.headers).toMatchObject({ 'api-version': '1.0.0', 'x-request-id': 'id-1' });
  });

  it('makes exactly one attempt on a 503 and says it may be retried', async () => {
    const path = pathOfThisTest();
    receiver.answerNext(on(path), { status: 503 }, { status: 503 });
    expect(await client.post(`${receiver.url}${path}`, {}, 'id-2')).toEqual({ outcome: 'retryable', status: 503, reason: 'answered 503' });
    expect(receiver.attempts.filter((a) => a.path === path)).toHaveLength(1);
  });

  it('reads the Retry-After of a 429 as sent, in seconds and as an HTTP-date', async () => {
    const path = pathOfThisTest();
    receiver.answerNext(
      on(path),
      { status: 429, headers: { 'Retry-After': '120' } },
      { status: 429, headers: { 'Retry-After': new Date(Date.now() + 90_000).toUTCString() } },
    );
    expect(await client.post(`${receiver.url}${path}`, {}, 'id-3')).toMatchObject({ outcome: 'retryable', status: 429, retryAfterMs: 120_000 });
    const dated = await client.post(`${receiver.url}${path}`, {}, 'id-3');
    expect(dated).toMatchObject({ outcome: 'retryable', status: 429 });
    expect((dated as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(85_000);
    expect((dated as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(90_000);
  });

  it('says a 404 is refused for good', async () => {
    const path = pathOfThisTest();
    receiver.answerNext(on(path), { status: 404 });
    expect(await client.post(`${receiver.url}${path}`, {}, 'id-4')).toEqual({ outcome: 'refused', status: 404, reason: 'answered 404' });
  });

  it('gives up on a Wallet Server that answers too slowly, within the request timeout', async () => {
    const path = pathOfThisTest();
    receiver.answerNext(on(path), { status: 200, delayMs: 3000 });
    const started = Date.now();
    expect(await client.post(`${receiver.url}${path}`, {}, 'id-5')).toEqual({ outcome: 'retryable', reason: 'no answer within 1000 ms' });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
