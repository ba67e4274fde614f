import { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

/** Baseline activities: the same count as the VerificationWorkflow's first decision, doing nothing. */
export interface BaselineActivities {
  noopEvaluate(): Promise<string>;
  noopRecord(status: string): Promise<void>;
}

export const baselineFirstDecision = defineUpdate<string>('firstDecision');

const { noopEvaluate, noopRecord } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });

/** Same shape as verificationWorkflow's happy path: update-with-start, two activities, done. */
export async function baselineWorkflow(waitMs: number): Promise<string> {
  let status = 'PENDING';
  let decided = false;
  setHandler(baselineFirstDecision, async () => {
    await condition(() => decided, waitMs);
    return status;
  });
  status = await noopEvaluate();
  await noopRecord(status);
  decided = true;
  await condition(allHandlersFinished);
  return status;
}
