import { allHandlersFinished, condition, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { VerificationActivities } from '../../activities/verification-activities';
import type { VerificationDecision } from '../../domain/schemas/verification';
import { isTerminal, VerificationState } from '../../domain/verification-state';
import { firstDecisionUpdate, verificationStatusQuery, type VerificationWorkflowInput, type VerificationWorkflowResult } from './messages';
import { verificationStatusAttribute } from './search-attributes';

const { evaluateVerificationData, recordVerificationStatus } = proxyActivities<VerificationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One verification session (S2S §Verification Endpoints). The workflow is the source of truth
 * for the status; every change is projected to MongoDB (read by /verification/status) and to
 * the S2sVerificationStatus search attribute.
 */
export async function verificationWorkflow(input: VerificationWorkflowInput): Promise<VerificationWorkflowResult> {
  let decision: VerificationDecision = { status: VerificationState.pending };
  let statusVersion = 0;
  let firstDecisionReached = false;
  const ref = { tenantId: input.tenantId, sessionId: input.sessionId, verificationId: input.verificationId };

  setHandler(verificationStatusQuery, () => decision);
  setHandler(firstDecisionUpdate, async () => {
    await condition(() => firstDecisionReached, input.initialDecisionWaitMs);
    return decision;
  });

  // The status becomes visible (query, update result, search attribute) only once it is
  // projected to MongoDB, so /verification/status never lags behind what a caller was told.
  async function moveTo(next: VerificationDecision): Promise<void> {
    statusVersion += 1;
    await recordVerificationStatus({ ...ref, decision: next, statusVersion });
    decision = next;
    upsertSearchAttributes([{ key: verificationStatusAttribute, value: decision.status }]);
  }

  await moveTo(
    await evaluateVerificationData({
      ...ref,
      ...(input.verificationDataRef ? { verificationDataRef: input.verificationDataRef } : {}),
    }),
  );
  firstDecisionReached = true;

  if (!isTerminal(decision.status)) {
    // Until supplements, verdicts and cancellation arrive (S2S §Supplement), only time moves a
    // non-final session: it expires when it stays idle too long.
    const moved = await condition(() => isTerminal(decision.status), input.idleExpiryMs);
    if (!moved) await moveTo({ status: VerificationState.expired });
  }

  await condition(allHandlersFinished);
  return { decision };
}
