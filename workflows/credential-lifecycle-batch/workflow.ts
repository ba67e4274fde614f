import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CredentialBatchActivities } from '../../activities/credential-batch-activities';
import { credentialLifecycleBatchProgressQuery, type CredentialLifecycleBatchInput, type CredentialLifecycleBatchProgress } from './messages';

const { listTenantInstances, manageInstances, listConfigurationInstances, tellDisplayDataUpdated } = proxyActivities<CredentialBatchActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  // A page whose changes failed is taken again: each change is an Update with a fixed id, so a
  // repeat answers from the first execution instead of changing anything twice.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Pages per run before continuing as new: the history stays small however many instances a Wallet Server has. */
const pagesPerRun = 50;

/**
 * Every credential instance of one Wallet Server, changed page by page (profile §29, mass
 * changes): each instance's own CredentialLifecycleWorkflow decides by the transition table and
 * applies the change (status list, record, telling the Wallet Server), as for a single instance.
 * Progress is queryable and survives crashes; a page is an activity that may run again.
 */
export async function credentialLifecycleBatchWorkflow(
  input: CredentialLifecycleBatchInput,
  carried?: CredentialLifecycleBatchProgress,
): Promise<CredentialLifecycleBatchProgress> {
  let progress: CredentialLifecycleBatchProgress = carried ?? { instances: 0, outcomes: {}, done: false };
  setHandler(credentialLifecycleBatchProgressQuery, () => progress);

  const count = (outcomes: Partial<Record<string, number>>) => {
    const merged = { ...progress.outcomes };
    for (const [outcome, n] of Object.entries(outcomes)) merged[outcome as keyof typeof merged] = (merged[outcome as keyof typeof merged] ?? 0) + (n ?? 0);
    return merged;
  };

  if ('credentialMetadataVersion' in input) {
    for (let page = 0; page < pagesPerRun; page += 1) {
      const instances = await listConfigurationInstances({
        credentialConfigurationId: input.credentialConfigurationId,
        ...(progress.after ? { after: progress.after } : {}),
        limit: input.pageSize,
      });
      if (instances.length === 0) {
        progress = { ...progress, done: true };
        return progress;
      }
      const outcomes = await tellDisplayDataUpdated({ instances, credentialMetadataVersion: input.credentialMetadataVersion });
      progress = { after: (instances.at(-1) as { key: string }).key, instances: progress.instances + instances.length, outcomes: count(outcomes), done: false };
    }
    return continueAsNew<typeof credentialLifecycleBatchWorkflow>(input, progress);
  }

  for (let page = 0; page < pagesPerRun; page += 1) {
    const instances = await listTenantInstances({ tenantId: input.tenantId, ...(progress.after ? { after: progress.after } : {}), limit: input.pageSize });
    if (instances.length === 0) {
      progress = { ...progress, done: true };
      return progress;
    }
    const outcomes = await manageInstances({
      tenantId: input.tenantId,
      credentialInstanceIds: instances,
      action: input.action,
      ...(input.reason ? { reason: input.reason } : {}),
      requestId: `${input.batchId}`,
    });
    const merged = { ...progress.outcomes };
    for (const [outcome, count] of Object.entries(outcomes)) merged[outcome as keyof typeof merged] = (merged[outcome as keyof typeof merged] ?? 0) + count;
    progress = { after: instances.at(-1) as string, instances: progress.instances + instances.length, outcomes: merged, done: false };
  }
  return continueAsNew<typeof credentialLifecycleBatchWorkflow>(input, progress);
}
