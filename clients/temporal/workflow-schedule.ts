import { ScheduleAlreadyRunning, type Client, type ScheduleOptions } from '@temporalio/client';

/**
 * Creates a Temporal Schedule that starts `workflowType` every `intervalMs`, or brings an
 * existing one to the current settings (every worker process calls this at start; the Schedule
 * exists once per id). Overlapping runs are skipped; the workflow id is the Schedule's id.
 */
export async function ensureWorkflowSchedule(
  client: Client,
  options: { scheduleId: string; workflowType: string; taskQueue: string; intervalMs: number; args: unknown[] },
): Promise<void> {
  const schedule: ScheduleOptions = {
    scheduleId: options.scheduleId,
    spec: { intervals: [{ every: options.intervalMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: options.workflowType,
      workflowId: options.scheduleId,
      taskQueue: options.taskQueue,
      args: options.args,
      workflowExecutionTimeout: Math.max(options.intervalMs * 5, 10 * 60_000),
    },
    policies: { overlap: 'SKIP', catchupWindow: options.intervalMs },
  };
  try {
    await client.schedule.create(schedule);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule
      .getHandle(options.scheduleId)
      .update((previous) => ({ ...previous, spec: schedule.spec, action: schedule.action, policies: schedule.policies }));
  }
}
