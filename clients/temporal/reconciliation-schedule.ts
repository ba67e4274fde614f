import { ScheduleAlreadyRunning, type Client, type ScheduleOptions } from '@temporalio/client';
import { reconciliationScheduleId, type ReconciliationInput } from '../../workflows/reconciliation/messages';

/**
 * Creates the Temporal Schedule that runs reconciliationWorkflow every `intervalMs`, or brings
 * an existing one to the current settings (every worker process calls this at start; the
 * Schedule exists once per task queue). Overlapping runs are skipped.
 */
export async function ensureReconciliationSchedule(
  client: Client,
  options: { taskQueue: string; intervalMs: number; input: ReconciliationInput },
): Promise<void> {
  const scheduleId = reconciliationScheduleId(options.taskQueue);
  const schedule: ScheduleOptions = {
    scheduleId,
    spec: { intervals: [{ every: options.intervalMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'reconciliationWorkflow',
      workflowId: scheduleId,
      taskQueue: options.taskQueue,
      args: [options.input],
      workflowExecutionTimeout: Math.max(options.intervalMs * 5, 10 * 60_000),
    },
    policies: { overlap: 'SKIP', catchupWindow: options.intervalMs },
  };
  try {
    await client.schedule.create(schedule);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule
      .getHandle(scheduleId)
      .update((previous) => ({ ...previous, spec: schedule.spec, action: schedule.action, policies: schedule.policies }));
  }
}
