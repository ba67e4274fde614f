import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { CredentialBatchActivities } from '../../activities/credential-batch-activities';
import { createCredentialLifecycleBatches } from '../../clients/temporal/credential-lifecycle-batches';
import { recordHistories } from '../support/recorded-histories';
import { createTimeSkippingEnvironment, workflowBundle } from '../support/time-skipping';

/** The mass lifecycle change of one Wallet Server's instances (profile §29), with scripted activities. */
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

describe('CredentialLifecycleBatchWorkflow (profile §29, mass changes)', () => {
  it('pages through every instance in id order, takes a failed page again without counting it twice, and reports progress', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `instance-${i}`);
    const changed: string[][] = [];
    let failures = 1;
    const activities: CredentialBatchActivities = {
      listTenantInstances: async ({ after, limit }) => ids.filter((id) => after === undefined || id > after).slice(0, limit),
      manageInstances: async ({ credentialInstanceIds, action, requestId }) => {
        expect(action).toBe('CANCEL');
        changed.push(credentialInstanceIds.map((id) => `${id}@${requestId}`));
        // The second page fails once (a worker lost mid-page): it is taken again.
        if (credentialInstanceIds[0] === 'instance-3' && failures-- > 0) throw new Error('worker lost');
        return { COMPLETED: credentialInstanceIds.length - 1, NO_CHANGE: 1 };
      },
    };
    const taskQueue = `batch-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
    const batches = createCredentialLifecycleBatches(env.client, { taskQueue });
    const batchId = randomUUID();
    await worker.runUntil(async () => {
      await batches.start({ batchId, tenantId: 'tenant-c', action: 'CANCEL', reason: 'compromised', pageSize: 3 });
      await batches.start({ batchId, tenantId: 'tenant-c', action: 'CANCEL', reason: 'compromised', pageSize: 3 });
      const handle = env.client.workflow.getHandle(`credential-lifecycle-batch-${batchId}`);
      expect(await handle.result()).toEqual({ after: 'instance-6', instances: 7, outcomes: { COMPLETED: 4, NO_CHANGE: 3 }, done: true });
      expect(await batches.progress(batchId)).toMatchObject({ instances: 7, done: true });
      if (process.env.RECORD_HISTORIES) await recordHistories([handle]);
    });
    // Pages of 3, the failed one twice, every Update named by the batch (a repeat answers from the first).
    expect(changed.map((page) => page.length)).toEqual([3, 3, 3, 1]);
    expect(changed.flat().every((entry) => entry.endsWith(`@${batchId}`))).toBe(true);
    expect(await batches.progress(randomUUID())).toBeNull();
  });
});
