import type { Client } from '@temporalio/client';
import { retentionScheduleId, type RetentionInput } from '../../workflows/retention/messages';
import { ensureWorkflowSchedule } from './workflow-schedule';

/**
 * The Temporal Schedule that runs retentionWorkflow every `intervalMs` (one per task queue),
 * apart from reconciliation's: its own interval, and a slow sweep never delays a repair.
 */
export async function ensureRetentionSchedule(client: Client, options: { taskQueue: string; intervalMs: number; input: RetentionInput }): Promise<void> {
  await ensureWorkflowSchedule(client, {
    scheduleId: retentionScheduleId(options.taskQueue),
    workflowType: 'retentionWorkflow',
    taskQueue: options.taskQueue,
    intervalMs: options.intervalMs,
    args: [options.input],
  });
}
