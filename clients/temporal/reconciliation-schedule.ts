import type { Client } from '@temporalio/client';
import { reconciliationScheduleId, type ReconciliationInput } from '../../workflows/reconciliation/messages';
import { ensureWorkflowSchedule } from './workflow-schedule';

/** The Temporal Schedule that runs reconciliationWorkflow every `intervalMs` (one per task queue). */
export async function ensureReconciliationSchedule(
  client: Client,
  options: { taskQueue: string; intervalMs: number; input: ReconciliationInput },
): Promise<void> {
  await ensureWorkflowSchedule(client, {
    scheduleId: reconciliationScheduleId(options.taskQueue),
    workflowType: 'reconciliationWorkflow',
    taskQueue: options.taskQueue,
    intervalMs: options.intervalMs,
    args: [options.input],
  });
}
