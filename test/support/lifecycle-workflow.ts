import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { CredentialIssuanceActivities } from '../../activities/credential-issuance-activities';
import type { AppliedLifecycle, CredentialStatusActivities } from '../../activities/credential-status-activities';
import { createCredentialLifecycleWorkflows } from '../../clients/temporal/credential-lifecycle-workflows';
import type { WalletView } from '../../domain/credential-reconciliation';
import { messageProofText } from '../../domain/message-proof';
import {
  credentialLifecycleStateQuery,
  credentialLifecycleWorkflowId,
  type CredentialLifecycleInput,
  type CredentialLifecycleState,
} from '../../workflows/credential-lifecycle/messages';
import type { credentialLifecycleWorkflow } from '../../workflows/credential-lifecycle/workflow';
import { recordHistories } from './recorded-histories';
import { workflowBundle } from './time-skipping';

/**
 * What the CredentialLifecycleWorkflow's time-skipping tests share: scripted activities, an
 * instance, a worker per test, and polling. `env` is read at each call (each test file has its
 * own time-skipping server).
 */
export function lifecycleTestKit(envOf: () => TestWorkflowEnvironment) {
  /** Stands in for the API's signer (the real one is tested in test/unit/message-proof.test.ts). */
  const testProofs = { sign: () => ({ kid: 'test-key', mac: 'signed' }) };

  /**
   * Activities whose holder data is a switch the test flips: `ready` issues (and counts signings),
   * `pending` defers with the given estimate. Notifications and checks are remembered with the
   * test server's time.
   */
  function scriptedIssuance(options: { ready: boolean; notReadyUntil?: () => string; readyAtMs?: number; refreshAfterMs?: number }) {
    const data = { ready: options.ready, version: 'version-1' };
    /** CREDENTIAL_UPDATE_AVAILABLE told to the Wallet Server: the versions offered. */
    const offered: string[] = [];
    /** DISPLAY_DATA_UPDATED told to the Wallet Server: the credential metadata versions. */
    const displayed: string[] = [];
    const issued: string[] = [];
    const checks: number[] = [];
    const notified: { triggeringRequestId: string; eventTimestamp: string; at: number }[] = [];
    /** Every lifecycle applied (status list and record), in order. */
    const applied: AppliedLifecycle[] = [];
    /** What each attempt to tell the Wallet Server derives its x-request-id from (status version / attempt key). */
    const requestKeys: string[] = [];
    /** Lifecycle changes told to the Wallet Server (attempts that delivered); `walletDown` refuses attempts. */
    const pushes: { action: string; reason: string; statusVersion: number }[] = [];
    const wallet = { down: false, attempts: 0, view: 'ACTIVE' as WalletView, asked: 0 };
    const readyNow = async () => data.ready || (options.readyAtMs !== undefined && (await envOf().currentTimeMs()) >= options.readyAtMs);
    const activities: LifecycleActivities = {
      issueCredentialBatch: async ({ requestId }) => {
        if (!(await readyNow())) return { outcome: 'pending', ...(options.notReadyUntil ? { notReadyUntil: options.notReadyUntil() } : {}) };
        issued.push(requestId);
        // As the issuance activity: when the credentials just issued are due for refresh (profile §29), if the test says.
        const refreshAt =
          options.refreshAfterMs === undefined ? {} : { refreshAt: new Date((await envOf().currentTimeMs()) + options.refreshAfterMs).toISOString() };
        return { outcome: 'issued', credentialVersion: data.version, deliveryRef: `delivery-${requestId}`, ...refreshAt };
      },
      checkHolderData: async () => {
        checks.push(await envOf().currentTimeMs());
        return (await readyNow())
          ? { outcome: 'ready', credentialVersion: data.version }
          : { outcome: 'pending', ...(options.notReadyUntil ? { notReadyUntil: options.notReadyUntil() } : {}) };
      },
      verifyIssueProof: async ({ proof }) => proof === messageProofText(testProofs.sign()),
      verifyManageProof: async ({ proof }) => proof === messageProofText(testProofs.sign()),
      applyCredentialStatus: async (record) => {
        applied.push(record);
      },
      notifyCredentialReady: async ({ triggeringRequestId, eventTimestamp }) => {
        notified.push({ triggeringRequestId, eventTimestamp, at: await envOf().currentTimeMs() });
      },
      askWalletServerStatus: async () => {
        wallet.asked += 1;
        if (wallet.down) throw ApplicationFailure.create({ message: 'wallet server unavailable', nextRetryDelay: 10 });
        return { walletView: wallet.view };
      },
      notifyDisplayDataUpdated: async ({ credentialMetadataVersion }) => {
        displayed.push(credentialMetadataVersion);
      },
      notifyCredentialUpdateAvailable: async ({ credentialVersion }) => {
        offered.push(credentialVersion);
      },
      tellWalletServerLifecycle: async ({ action, reason, statusVersion, attemptKey }) => {
        wallet.attempts += 1;
        requestKeys.push(`${statusVersion}/${attemptKey ?? ''}`);
        // As activities/outbound-attempt.ts fails an attempt, with the delay before the next (short here).
        if (wallet.down) throw ApplicationFailure.create({ message: 'wallet server unavailable', nextRetryDelay: 10 });
        pushes.push({ action, reason, statusVersion });
      },
    };
    return { activities, data, issued, checks, notified, applied, pushes, wallet, offered, requestKeys, displayed };
  }

  function instance(overrides: Partial<CredentialLifecycleInput> = {}): Omit<CredentialLifecycleInput, 'outboundTaskQueue'> {
    return {
      tenantId: `tenant-${randomUUID().slice(0, 8)}`,
      sessionId: randomUUID(),
      verificationId: randomUUID(),
      credentialInstanceId: randomUUID(),
      credentialConfigurationId: 'org.iso.18013.5.1.mDL',
      holderAccountId: 'test-holder-max',
      ...overrides,
    };
  }

  /** Runs `test` with a worker; the instance's workflow (which never ends by itself) is terminated after it. */
  async function withLifecycle(
    activities: LifecycleActivities,
    input: Omit<CredentialLifecycleInput, 'outboundTaskQueue'>,
    test: (ctx: { lifecycle: ReturnType<typeof createCredentialLifecycleWorkflows>; state: () => Promise<CredentialLifecycleState> }) => Promise<void>,
    options: { proofs?: boolean } = {},
  ): Promise<void> {
    const taskQueue = `cl-${randomUUID()}`;
    const worker = await Worker.create({ connection: envOf().nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
    const lifecycle = createCredentialLifecycleWorkflows(envOf().client, {
      taskQueue,
      outboundTaskQueue: taskQueue,
      ...(options.proofs === false ? {} : { proofs: testProofs }),
    });
    const handle = envOf().client.workflow.getHandle<typeof credentialLifecycleWorkflow>(credentialLifecycleWorkflowId(input));
    await worker.runUntil(async () => {
      await lifecycle.start(input);
      try {
        await test({ lifecycle, state: () => handle.query(credentialLifecycleStateQuery) });
      } finally {
        await handle.terminate('test over').catch(() => undefined);
      }
    });
    if (process.env.RECORD_HISTORIES) await recordHistories([handle]);
  }

  /** Polls (in real time: queries do not skip time) until `done` holds. */
  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    let value = await read();
    while (!done(value) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      value = await read();
    }
    return value;
  }

  return { testProofs, scriptedIssuance, instance, withLifecycle, eventually };
}

export type LifecycleActivities = CredentialIssuanceActivities & CredentialStatusActivities;
