import { createCertificateAuthority, issueCertificate } from '../../crypto/dev-pki';
import { createWalletServerClient, WalletServerCallError } from '../../clients/wallet-server-client';
import { startNotificationReceiver, type NotificationReceiver } from '../../wallet/notification-receiver';

let receiver: NotificationReceiver;
let client: ReturnType<typeof createWalletServerClient>;
const waits: number[] = [];

beforeAll(async () => {
  const ca = await createCertificateAuthority('client test CA');
  const server = await issueCertificate(ca, { commonName: 'localhost', usage: 'server', ipAddresses: ['127.0.0.1'] });
  const issuer = await issueCertificate(ca, { commonName: 'issuer', usage: 'client' });
  receiver = await startNotificationReceiver({ certificatePem: server.certificatePem, privateKeyPem: server.privateKeyPem, clientCaPem: ca.certificatePem });
  client = createWalletServerClient({
    certificatePem: issuer.certificatePem,
    privateKeyPem: issuer.privateKeyPem,
    caPem: ca.certificatePem,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
});
afterAll(async () => {
  client?.close();
  await receiver?.close();
});
beforeEach(() => {
  waits.length = 0;
});

describe('Wallet Server client (S2S §Rate Limiting)', () => {
  it('retries 5xx within the draft’s windows, at most three times', async () => {
    receiver.answerNext({ status: 503 }, { status: 502 }, { status: 500 }, { status: 503 });
    await expect(client.post(`${receiver.url}/v/notify`, { a: 1 }, 'id-1')).rejects.toMatchObject({ retryable: true, status: 503 });
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeLessThanOrEqual(1000);
    expect(waits[1]).toBeGreaterThanOrEqual(1100);
    expect(waits[1]).toBeLessThanOrEqual(5000);
    expect(waits[2]).toBeGreaterThanOrEqual(5100);
    expect(waits[2]).toBeLessThanOrEqual(30000);
  });

  it('waits what Retry-After says on 429, then delivers with the same x-request-id', async () => {
    receiver.answerNext({ status: 429, headers: { 'Retry-After': '7' } });
    await client.post(`${receiver.url}/v/notify`, { sessionId: 's', verificationId: 'v' }, 'id-2');
    expect(waits).toEqual([7000]);
    expect(receiver.received.at(-1)?.headers['x-request-id']).toBe('id-2');
  });

  it('does not retry an answer a retry cannot change', async () => {
    receiver.answerNext({ status: 404 });
    const failure = await client.post(`${receiver.url}/v/notify`, {}, 'id-3').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WalletServerCallError);
    expect(failure).toMatchObject({ retryable: false, status: 404 });
    expect(waits).toEqual([]);
  });
});
