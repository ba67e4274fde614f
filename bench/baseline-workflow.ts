import { allHandlersFinished, condition, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

/** Baseline activities: the same count as the issuer's workflows on the measured paths, doing nothing. */
export interface BaselineActivities {
  noopEvaluate(): Promise<string>;
  noopRecord(status: string): Promise<void>;
  /** Stands in for the issuance activity of a get: returns a placeholder for the credentials. */
  noopIssue(credentialInstanceId: string): Promise<string>;
}

export const baselineFirstDecision = defineUpdate<string>('firstDecision');

const { noopEvaluate, noopRecord, noopIssue } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });

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

export const baselineIssue = defineUpdate<string>('issueCredentials');
export const baselineClose = defineSignal('close');

/**
 * Same shape as the CredentialLifecycleWorkflow on the get path: one workflow per credential
 * instance, started by provision, open until closed; each get is an Update that runs one
 * activity and returns its result.
 */
export async function baselineCredentialWorkflow(credentialInstanceId: string): Promise<void> {
  let closed = false;
  setHandler(baselineIssue, () => noopIssue(credentialInstanceId));
  setHandler(baselineClose, () => {
    closed = true;
  });
  await condition(() => closed);
  await condition(allHandlersFinished);
}
