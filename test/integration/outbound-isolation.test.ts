import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import type { ClientIdentity } from '../support/https-client';
import { approvableInitiate } from '../support/wallet-requests';

/**
 * One tenant's failing Wallet Server must not delay another tenant (docs/architecture.md
 * §Outbound calls). The worker runs with few slots here, as a loaded production worker would
 * have few free ones: 4 activity slots on the main task queue, 2 for outbound calls, and a 2 s
 * request timeout. When a notification slept through its backoff inside the activity, 40
 * failing notifications held the 4 main slots for up to ~36 s each, so the healthy tenant's
 * evaluation waited for a slot: its initiate answered PENDING and its notification came many
 * seconds late.
 */
let h: IssuerHarness;
beforeAll(async () => {
  h = await startIssuerHarness({ workerActivitySlots: 4, outboundCallSlots: 2, outboundRequestTimeoutMs: 2000 });
});
afterAll(async () => {
  await h?.close();
});

/** Runs `count` initiates for `identity`, `parallel` at a time. */
async function flood(identity: ClientIdentity, count: number, parallel = 8): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next += 1;
        const response = await h.http.post('/verification/initiate', await approvableInitiate(), { identity });
        expect(response.status).toBe(200);
      }
    }),
  );
}

/** The healthy tenant (wallet-a): each verification decided at initiate, and how long after its answer the notification came. */
async function healthyTenantLatencies(count: number): Promise<{ statuses: string[]; latenciesMs: number[] }> {
  const statuses: string[] = [];
  const latenciesMs: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await h.http.post('/verification/initiate', await approvableInitiate(), { identity: h.walletA });
    const answeredAt = Date.now();
    statuses.push(response.json.status);
    const notification = await h.receiver.waitFor((n) => n.body.verificationId === response.json.verificationId, 60_000);
    latenciesMs.push(Math.max(0, notification.receivedAt.getTime() - answeredAt));
  }
  return { statuses, latenciesMs };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a tenant whose Wallet Server fails does not delay another tenant (S2S §Verification Notification)', () => {
  it('keeps another tenant’s verifications and notifications prompt while 40 notifications to a refused connection fail', async () => {
    const down = await h.registerWallet('wallet-down', { notificationBaseUrl: `https://127.0.0.1:${await closedPort()}/down` });
    await flood(down, 40);
    const { statuses, latenciesMs } = await healthyTenantLatencies(5);
    expect(statuses).toEqual(['APPROVED', 'APPROVED', 'APPROVED', 'APPROVED', 'APPROVED']);
    expect(Math.max(...latenciesMs)).toBeLessThan(3000);
  });

  it('dispatches another tenant’s notification ahead of a backlog of calls to a Wallet Server that never answers in time (fairness key per tenant)', async () => {
    const slow = await h.registerWallet('wallet-slow');
    // Each attempt holds one of the 2 outbound slots for the whole 2 s request timeout: 20 of
    // them are 20 s of backlog, first come, first served.
    h.receiver.answerAlways((request) => request.path.startsWith('/wallet-slow/'), { status: 503, delayMs: 10_000 });
    await flood(slow, 20);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { statuses, latenciesMs } = await healthyTenantLatencies(3);
    expect(statuses).toEqual(['APPROVED', 'APPROVED', 'APPROVED']);
    // Fair dispatch: the next free slot (≤ 2 s); first come, first served: ≥ ~15 s.
    expect(Math.max(...latenciesMs)).toBeLessThan(6000);
    expect(h.receiver.attempts.filter((a) => a.path.startsWith('/wallet-slow/')).length).toBeGreaterThan(0);
  });
});
