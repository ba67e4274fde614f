import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { CredentialBatchActivities } from '../../activities/credential-batch-activities';
import { createCredentialLifecycleBatches } from '../../clients/temporal/credential-lifecycle-batches';
import { recordHistories } from '../support/recorded-histories';
import { useTimeSkippingEnvironment, workflowBundle } from '../support/time-skipping';

/** The mass lifecycle change of one Wallet Server's instances (profile §29), with scripted activities. */
const environment = useTimeSkippingEnvironment();

describe('CredentialLifecycleBatchWorkflow (profile §29, mass changes)', () => {
  it('pages through every instance in id order, takes a failed page again without counting it twice, and reports progress', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `instance-${i}`);
    const changed: string[][] = [];
    let failures = 1;
    const activities: CredentialBatchActivities = {
      listConfigurationInstances: async () => [],
      tellDisplayDataUpdated: async () => ({}),
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
    const worker = await Worker.create({ connection: environment().nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
    const batches = createCredentialLifecycleBatches(environment().client, { taskQueue });
    const batchId = randomUUID();
    await worker.runUntil(async () => {
      await batches.start({ batchId, tenantId: 'tenant-c', action: 'CANCEL', reason: 'compromised', pageSize: 3 });
      await batches.start({ batchId, tenantId: 'tenant-c', action: 'CANCEL', reason: 'compromised', pageSize: 3 });
      const handle = environment().client.workflow.getHandle(`credential-lifecycle-batch-${batchId}`);
      expect(await handle.result()).toEqual({ after: 'instance-6', instances: 7, outcomes: { COMPLETED: 4, NO_CHANGE: 3 }, done: true });
      expect(await batches.progress(batchId)).toMatchObject({ instances: 7, done: true });
      if (process.env.RECORD_HISTORIES) await recordHistories([handle]);
    });
    // Pages of 3, the failed one twice, every Update named by the batch (a repeat answers from the first).
    expect(changed.map((page) => page.length)).toEqual([3, 3, 3, 1]);
    expect(changed.flat().every((entry) => entry.endsWith(`@${batchId}`))).toBe(true);
    expect(await batches.progress(randomUUID())).toBeNull();
  });

  it('tells every instance of a configuration of a new credential metadata version, on every Wallet Server', async () => {
    const instances = Array.from({ length: 5 }, (_, i) => ({
      key: `tenant-${i % 2}/instance-${i}`,
      tenantId: `tenant-${i % 2}`,
      credentialInstanceId: `instance-${i}`,
    }));
    instances.sort((a, b) => a.key.localeCompare(b.key));
    const told: string[] = [];
    const activities: CredentialBatchActivities = {
      listTenantInstances: async () => [],
      manageInstances: async () => ({}),
      listConfigurationInstances: async ({ credentialConfigurationId, after, limit }) => {
        expect(credentialConfigurationId).toBe('org.iso.18013.5.1.mDL');
        return instances.filter((instance) => after === undefined || instance.key > after).slice(0, limit);
      },
      tellDisplayDataUpdated: async ({ instances: page, credentialMetadataVersion }) => {
        told.push(...page.map((instance) => `${instance.tenantId}/${instance.credentialInstanceId}@${credentialMetadataVersion}`));
        // The last one's lifecycle has ended.
        return {
          NOTIFIED: page.filter((i) => i.credentialInstanceId !== 'instance-4').length,
          ENDED: page.filter((i) => i.credentialInstanceId === 'instance-4').length,
        };
      },
    };
    const taskQueue = `batch-${randomUUID()}`;
    const worker = await Worker.create({ connection: environment().nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
    const batches = createCredentialLifecycleBatches(environment().client, { taskQueue });
    const batchId = randomUUID();
    await worker.runUntil(async () => {
      await batches.start({ batchId, credentialConfigurationId: 'org.iso.18013.5.1.mDL', credentialMetadataVersion: 'v2', pageSize: 2 });
      expect(await environment().client.workflow.getHandle(`credential-lifecycle-batch-${batchId}`).result()).toMatchObject({
        instances: 5,
        outcomes: { NOTIFIED: 4, ENDED: 1 },
        done: true,
      });
    });
    expect(told).toEqual(instances.map((i) => `${i.tenantId}/${i.credentialInstanceId}@v2`));
  });
});
