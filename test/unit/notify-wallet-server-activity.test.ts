import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createVerificationActivities, type VerificationActivityDeps } from '../../activities/verification-activities';
import { deterministicRequestId, type WalletServerAnswer } from '../../clients/wallet-servers/wallet-server-client';
import type { VerificationSession } from '../../store/verification-sessions';

const ref = { tenantId: 'tenant-1', sessionId: 'session-1', verificationId: 'verification-1' };
const ceiling = 3_600_000;
// Failed attempts are the expected outcome here; the SDK would log each one.
const quiet = new DefaultLogger('ERROR');

/** The activity with fakes around it: a session at status version 2 and a scripted Wallet Server. */
function notifier(answer: WalletServerAnswer, tenantOverrides: Record<string, unknown> = {}) {
  const posts: { url: string; body: unknown; requestId: string }[] = [];
  const delivered: number[] = [];
  let sessionReads = 0;
  const session = {
    ...ref,
    workflowId: 'wf',
    credentialConfigurationIds: ['x'],
    requestedDeviceCount: 1,
    decisions: {
      '0': { status: 'PENDING' },
      '1': { status: 'PENDING' },
      '2': { status: 'APPROVED', credentialConfigurationIds: ['x'], authorizedDeviceCount: 1 },
    },
    statusVersion: 2,
    walletSigningKey: { kty: 'EC' },
    current: true,
  } as unknown as VerificationSession;
  const deps = {
    tenants: {
      findById: async () => ({ _id: ref.tenantId, name: 'w', notificationBaseUrl: 'https://wallet.example/s2s', createdAt: new Date(), ...tenantOverrides }),
    },
    sessions: {
      find: async () => (sessionReads++, session),
      recordNotificationDelivered: async (_key: unknown, _verificationId: string, statusVersion: number) => void delivered.push(statusVersion),
    },
    walletServers: {
      post: async (url: string, body: unknown, requestId: string) => {
        posts.push({ url, body, requestId });
        return answer;
      },
      close() {},
    },
    retryAfterCeilingMs: ceiling,
  } as unknown as VerificationActivityDeps;
  const activities = createVerificationActivities(deps);
  const run = (attempt: number) => new MockActivityEnvironment({ attempt }, { logger: quiet }).run(activities.notifyWalletServer, { ...ref, statusVersion: 1 });
  const runWithStatus = (status: Record<string, unknown>, statusVersion: number, recordDelivery?: boolean) =>
    new MockActivityEnvironment({ attempt: 1 }, { logger: quiet }).run(activities.notifyWalletServer, {
      ...ref,
      statusVersion,
      status: status as never,
      ...(recordDelivery === undefined ? {} : { recordDelivery }),
    });
  return { run, runWithStatus, posts, delivered, sessionReads: () => sessionReads };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('notifyWalletServer: one attempt per execution (S2S §Verification Notification, §Rate Limiting)', () => {
  it('sends nothing to a deregistered Wallet Server and does not retry', async () => {
    const { run, posts } = notifier({ outcome: 'delivered', status: 204 }, { deregisteredAt: new Date() });
    const failure = await failureOf(run(1));
    expect(failure).toMatchObject({ type: 'TenantDeregistered', nonRetryable: true });
    expect(posts).toEqual([]);
  });

  it('sends the status the workflow gives it, for that status version, without reading the session', async () => {
    const { runWithStatus, posts, delivered, sessionReads } = notifier({ outcome: 'delivered', status: 204 });
    const status = { sessionId: ref.sessionId, verificationId: ref.verificationId, status: 'DENIED', reasonCode: 'CANCELLED', deniedMessage: 'x' };
    await runWithStatus(status, 3);
    expect(posts).toEqual([
      {
        url: 'https://wallet.example/s2s/verification/notify',
        body: status,
        requestId: deterministicRequestId('verification-notify', ref.verificationId, '3'),
      },
    ]);
    expect(delivered).toEqual([3]);
    expect(sessionReads()).toBe(0);
  });

  it('records a delivery only when asked to (a verification with no notification given up is never listed)', async () => {
    const { runWithStatus, posts, delivered } = notifier({ outcome: 'delivered', status: 204 });
    const status = { sessionId: ref.sessionId, verificationId: ref.verificationId, status: 'APPROVED' };
    await runWithStatus(status, 1, false);
    await runWithStatus(status, 2, true);
    expect(posts).toHaveLength(2);
    expect(delivered).toEqual([2]);
  });

  it('posts the current status once with an x-request-id of (verification, status version), and records the version delivered', async () => {
    const { run, posts, delivered } = notifier({ outcome: 'delivered', status: 204 });
    await run(1);
    await run(1);
    expect(posts).toHaveLength(2);
    expect(posts[0]).toEqual({
      url: 'https://wallet.example/s2s/verification/notify',
      body: { sessionId: 'session-1', verificationId: 'verification-1', status: 'APPROVED', credentialConfigurationIds: ['x'], authorizedDeviceCount: 1 },
      requestId: deterministicRequestId('verification-notify', 'verification-1', '2'),
    });
    expect(posts[1]?.requestId).toBe(posts[0]?.requestId);
    expect(delivered).toEqual([2, 2]);
  });

  it('fails a 429 with nextRetryDelay = Retry-After, beyond the draft’s 30 s', async () => {
    const { run, posts, delivered } = notifier({ outcome: 'retryable', status: 429, reason: 'answered 429', retryAfterMs: 120_000 });
    const failure = await failureOf(run(1));
    expect(failure).toMatchObject({ type: 'WalletServerUnavailable', nonRetryable: false, nextRetryDelay: 120_000 });
    expect(posts).toHaveLength(1);
    expect(delivered).toEqual([]);
  });

  it('cuts a Retry-After beyond the ceiling to the ceiling', async () => {
    const { run } = notifier({ outcome: 'retryable', status: 429, reason: 'answered 429', retryAfterMs: 86_400_000 });
    expect(await failureOf(run(2))).toMatchObject({ nonRetryable: false, nextRetryDelay: ceiling });
  });

  it.each([
    [1, 0, 1000],
    [2, 1100, 5000],
    [3, 5100, 30000],
  ])('after attempt %i without Retry-After, asks Temporal to wait within [%i, %i] ms', async (attempt, low, high) => {
    const { run } = notifier({ outcome: 'retryable', status: 503, reason: 'answered 503' });
    const failure = await failureOf(run(attempt));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBeGreaterThanOrEqual(Math.max(1, low));
    expect(failure.nextRetryDelay).toBeLessThanOrEqual(high);
  });

  it('gives up after the fourth attempt (1 + 3 retries), even with a Retry-After', async () => {
    const { run } = notifier({ outcome: 'retryable', status: 429, reason: 'answered 429', retryAfterMs: 1000 });
    const failure = await failureOf(run(4));
    expect(failure).toMatchObject({ type: 'WalletServerUnavailable', nonRetryable: true });
    expect(failure.nextRetryDelay).toBeUndefined();
  });

  it('retries a refused connection (no answer is retryable)', async () => {
    const { run } = notifier({ outcome: 'retryable', reason: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1' });
    expect(await failureOf(run(1))).toMatchObject({ type: 'WalletServerUnavailable', nonRetryable: false });
  });

  it('does not retry a 4xx other than 408/429', async () => {
    const { run } = notifier({ outcome: 'refused', status: 404, reason: 'answered 404' });
    expect(await failureOf(run(1))).toMatchObject({ type: 'WalletServerRefused', nonRetryable: true });
  });
});
