import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCredentialIssuanceActivities, type CredentialIssuanceActivityDeps } from '../../activities/credential-issuance-activities';
import { deterministicRequestId, type WalletServerAnswer } from '../../clients/wallet-servers/wallet-server-client';
import { createMessageProofs } from '../../crypto/message-proof';
import { generateDataKeyringJson, parseDataKeyring } from '../../crypto/data-encryption';
import { messageProofText } from '../../domain/message-proof';
import { credentialLifecycleWorkflowId } from '../../domain/workflow-ids';
import { issueProofMessage } from '../../workflows/credential-lifecycle/messages';
import { deferredWaitMs, minimumDeferredWaitMs } from '../../workflows/credential-lifecycle/state';

const ref = { tenantId: 'tenant-1', sessionId: '5b0b8a5e-7e4c-4f49-9a3c-1f1b6f9e2d10', credentialInstanceId: 'instance-1' };
const quiet = new DefaultLogger('ERROR');
const proofs = createMessageProofs(parseDataKeyring(generateDataKeyringJson('proof-1'), 'test'));

/** The activities with a scripted Wallet Server and tenant; issuance members are not reached here. */
function activitiesAnswering(answer: WalletServerAnswer, tenantOverrides: Record<string, unknown> = {}) {
  const posts: { url: string; body: unknown; requestId: string }[] = [];
  const deps = {
    tenants: {
      findById: async () => ({ _id: ref.tenantId, name: 'w', notificationBaseUrl: 'https://wallet.example/s2s', createdAt: new Date(), ...tenantOverrides }),
    },
    walletServers: {
      post: async (url: string, body: unknown, requestId: string) => {
        posts.push({ url, body, requestId });
        return answer;
      },
    },
    retryAfterCeilingMs: 3_600_000,
    proofs,
  } as unknown as CredentialIssuanceActivityDeps;
  const activities = createCredentialIssuanceActivities(deps);
  const notify = (attempt: number, triggeringRequestId = 'get-request-1') =>
    new MockActivityEnvironment({ attempt }, { logger: quiet }).run(activities.notifyCredentialReady, {
      ...ref,
      triggeringRequestId,
      eventTimestamp: '2026-12-02T10:00:00.000Z',
    });
  return { activities, notify, posts };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('notifyCredentialReady: one attempt per execution (S2S §Event Notification, §Rate Limiting)', () => {
  it('posts CREDENTIAL_READY with the triggering get’s x-request-id, and the same x-request-id on every attempt', async () => {
    const { notify, posts } = activitiesAnswering({ outcome: 'delivered', status: 200 });
    await notify(1);
    await notify(2);
    expect(posts[0]).toEqual({
      url: 'https://wallet.example/s2s/event/notify',
      body: {
        sessionId: ref.sessionId,
        credentialInstanceId: ref.credentialInstanceId,
        eventType: 'CREDENTIAL_READY',
        eventTimestamp: '2026-12-02T10:00:00.000Z',
        triggeringRequestId: 'get-request-1',
      },
      requestId: deterministicRequestId('credential-ready', ref.tenantId, ref.credentialInstanceId, 'get-request-1'),
    });
    expect(posts[1]?.requestId).toBe(posts[0]?.requestId);
  });

  it('fails an unavailable Wallet Server with the delay before the next attempt, and gives up after the draft’s retries', async () => {
    const { notify } = activitiesAnswering({ outcome: 'retryable', status: 429, reason: 'answered 429', retryAfterMs: 120_000 });
    expect(await failureOf(notify(1))).toMatchObject({ type: 'WalletServerUnavailable', nonRetryable: false, nextRetryDelay: 120_000 });
    expect(await failureOf(notify(4))).toMatchObject({ type: 'WalletServerUnavailable', nonRetryable: true });
  });

  it('does not retry a refusal, and sends nothing to a deregistered Wallet Server', async () => {
    expect(await failureOf(activitiesAnswering({ outcome: 'refused', status: 400, reason: 'answered 400' }).notify(1))).toMatchObject({
      type: 'WalletServerRefused',
      nonRetryable: true,
    });
    const deregistered = activitiesAnswering({ outcome: 'delivered', status: 200 }, { deregisteredAt: new Date() });
    expect(await failureOf(deregistered.notify(1))).toMatchObject({ type: 'TenantDeregistered', nonRetryable: true });
    expect(deregistered.posts).toEqual([]);
  });
});

describe('verifyIssueProof: only the API has credentials issued', () => {
  const payload = { requestRef: 'ref-1', requestId: 'request-1' };
  const check = (proof: string | undefined, over = payload, instance = ref) => {
    const { activities } = activitiesAnswering({ outcome: 'delivered', status: 200 });
    return new MockActivityEnvironment({}, { logger: quiet }).run(activities.verifyIssueProof, {
      ...instance,
      ...over,
      ...(proof === undefined ? {} : { proof }),
    });
  };
  const signed = messageProofText(proofs.sign(credentialLifecycleWorkflowId(ref), issueProofMessage, payload));

  it('accepts the API’s proof over the references, for this instance', async () => {
    expect(await check(signed)).toBe(true);
  });

  it('refuses no proof, a proof over another request, or for another instance', async () => {
    expect(await check(undefined)).toBe(false);
    expect(await check(signed, { ...payload, requestRef: 'ref-2' })).toBe(false);
    expect(await check(signed, payload, { ...ref, credentialInstanceId: 'instance-2' })).toBe(false);
    expect(await check('not-a-proof')).toBe(false);
  });
});

describe('deferred issuance wait (profile §25)', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  it('waits until the issuer’s estimate when it comes before the poll interval', () => {
    expect(deferredWaitMs({ notReadyUntil: '2026-12-02T10:20:00Z' }, now, 3_600_000)).toBe(20 * 60_000);
  });
  it('waits the poll interval when the estimate is later or absent, one hour by default', () => {
    expect(deferredWaitMs({ notReadyUntil: '2026-12-03T10:00:00Z' }, now, 3_600_000)).toBe(3_600_000);
    expect(deferredWaitMs({}, now, 600_000)).toBe(600_000);
    expect(deferredWaitMs({}, now)).toBe(3_600_000);
  });
  it('never looks again sooner than a second, also for an estimate that has passed', () => {
    expect(deferredWaitMs({ notReadyUntil: '2026-12-02T09:00:00Z' }, now, 3_600_000)).toBe(minimumDeferredWaitMs);
  });
});
