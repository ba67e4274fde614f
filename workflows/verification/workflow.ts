import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { VerificationActivities } from '../../activities/verification-activities';
import type { VerificationDecision, VerificationStatus } from '../../domain/schemas/verification';
import { ReasonCode } from '../../domain/reason-codes';
import { supplementRefusal } from '../../domain/verification-refusals';
import { verificationWaitingFor, type WaitingFor } from '../../domain/waiting-for';
import { awaitsVerificationData, isTerminal, VerificationState } from '../../domain/verification-state';
import {
  cancelUpdate,
  firstDecisionUpdate,
  supplementUpdate,
  verdictSignal,
  type ProvenVerdict,
  VerificationRefusal,
  verificationStatusQuery,
  type VerificationWorkflowInput,
  type VerificationWorkflowResult,
} from './messages';
import { reviewCaseIdAttribute, verificationStatusAttribute, waitDeadlineAttribute, waitingForAttribute, waitingSinceAttribute } from './search-attributes';
import { afterAttempt, cancelledDecision, deadlineExceededDecision, withRequestLimits, type VerificationLimits } from './state';
import { createWalletNotifier } from './wallet-notifier';

const decisionActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

/**
 * Evaluating, deciding and recording a status are short database work on the worker that runs
 * the workflow: as local activities they cost no round trip through the Temporal server's task
 * queues (a marker in the history instead), which is most of a verification's Temporal cost.
 * Workflows whose history predates this change keep scheduling them as activities (the patch).
 */
export const decideLocally = 'decision-activities-local';
/** Verdicts are checked for the API's proof of origin (crypto/message-proof.ts). */
const verdictsNeedProof = 'verdict-proofs';
/** Supplements and cancellations are checked for it too. */
const updatesNeedProof = 'update-proofs';
/** What the verification waits for, as search attributes (domain/waiting-for.ts). */
const showsWaitingFor = 'waiting-for-attributes';
const remoteDecisions = proxyActivities<VerificationActivities>(decisionActivityOptions);
// A retry that must wait longer than a second waits on a workflow timer, not inside the workflow
// task (which would hold it open and, past its timeout, lose it).
const localDecisions = proxyLocalActivities<VerificationActivities>({ ...decisionActivityOptions, localRetryThreshold: '1 second' });
/**
 * Who a PENDING verification waits for only labels it for operators: a few quick tries, then the
 * status is shown without it, so a database hiccup never holds back the notification.
 */
const { describePendingWait } = proxyLocalActivities<VerificationActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '200 milliseconds', maximumAttempts: 3 },
});

/**
 * One verification (S2S §Verification Endpoints, §Verification Status). The workflow is the
 * source of truth for the status. Every change is projected to MongoDB (read by
 * /verification/status), to the S2sVerificationStatus search attribute, and notified to the
 * Wallet Server (S2S §Verification Notification) without ever waiting for it.
 */
export async function verificationWorkflow(input: VerificationWorkflowInput): Promise<VerificationWorkflowResult> {
  const limits: VerificationLimits = { ...input.limits, idleExpiryMs: input.idleExpiryMs };
  const ref = { tenantId: input.tenantId, sessionId: input.sessionId, verificationId: input.verificationId };
  const request = input.request ? { request: input.request } : {};
  // Workflows started before the outbound task queue existed notify from their own queue.
  const notifier = createWalletNotifier(ref, { taskQueue: input.outboundTaskQueue ?? workflowInfo().taskQueue });
  const { evaluateVerificationData, decideFromVerdict, recordVerificationStatus } = patched(decideLocally) ? localDecisions : remoteDecisions;

  let decision: VerificationDecision = { status: VerificationState.pending };
  let statusVersion = 0;
  /** Review cases are opened only for a PENDING verification (activities/verification-activities.ts). */
  let wasPending = false;
  let firstDecisionReached = false;
  let attemptsUsed = 0;
  let lastChangeAt = Date.now();
  let requestDeadlineAt: number | undefined;
  let cancelReason: string | undefined;
  const supplements: { seq: number; verificationDataRef: string }[] = [];
  let supplementsReceived = 0;
  let supplementsSettled = 0;
  const verdicts: ProvenVerdict[] = [];

  const finished = () => isTerminal(decision.status);

  setHandler(verificationStatusQuery, () => decision);
  setHandler(firstDecisionUpdate, async () => {
    await condition(() => firstDecisionReached, input.initialDecisionWaitMs);
    return decision;
  });
  setHandler(
    supplementUpdate,
    async ({ verificationId, verificationDataRef, proof }) => {
      // Only the API may hand over data (its proof of origin); anything else changes nothing.
      if (
        patched(updatesNeedProof) &&
        !(await localDecisions.verifyUpdateProof({
          ...ref,
          message: 'supplement',
          payload: { verificationId, verificationDataRef },
          ...(proof ? { proof } : {}),
        }))
      ) {
        return decision;
      }
      supplementsReceived += 1;
      const seq = supplementsReceived;
      supplements.push({ seq, verificationDataRef });
      await condition(() => supplementsSettled >= seq, input.initialDecisionWaitMs);
      return decision;
    },
    {
      validator: ({ verificationId }) => {
        if (verificationId !== input.verificationId)
          throw refusal(VerificationRefusal.wrongVerification, 'this verificationId is not the session’s current one');
        const refused = cancelReason === undefined ? supplementRefusal(decision) : VerificationRefusal.final;
        if (refused) throw refusal(refused, `the verification is ${decision.status}`);
      },
    },
  );
  setHandler(
    cancelUpdate,
    async ({ verificationId, reason, proof }) => {
      if (
        patched(updatesNeedProof) &&
        !(await localDecisions.verifyUpdateProof({ ...ref, message: 'cancel', payload: { verificationId, reason }, ...(proof ? { proof } : {}) }))
      ) {
        return decision;
      }
      cancelReason ??= reason;
      await condition(finished, input.initialDecisionWaitMs);
      return decision;
    },
    {
      validator: ({ verificationId }) => {
        if (verificationId !== input.verificationId)
          throw refusal(VerificationRefusal.wrongVerification, 'this verificationId is not the session’s current one');
        if (finished() && !isCancelled(decision)) throw refusal(VerificationRefusal.final, `the verification is ${decision.status}`);
      },
    },
  );
  setHandler(verdictSignal, (verdict) => {
    if (finished()) log.warn('verdict for a final verification ignored', { source: verdict.source, outcome: verdict.outcome });
    else verdicts.push(verdict);
  });

  let waiting: { for: WaitingFor[]; since: number } = { for: [], since: 0 };
  /**
   * What the verification waits for now, since when, until when and (for a reviewer) which case:
   * the S2sWaitingFor, S2sWaitingSince, S2sWaitDeadline and S2sReviewCaseId search attributes.
   * Behind a patch: workflows recorded before them set the status alone.
   */
  async function waitingAttributes(now: number): Promise<SearchAttributeUpdatePair[]> {
    if (!patched(showsWaitingFor)) return [];
    const pending = decision.status === VerificationState.pending ? await describePendingWait(ref).catch(() => undefined) : undefined;
    const waitingFor = verificationWaitingFor(decision, pending);
    if (waitingFor.join() !== waiting.for.join()) waiting = { for: waitingFor, since: now };
    const deadline = finished() ? undefined : Math.min(lastChangeAt + limits.idleExpiryMs, requestDeadlineAt ?? Number.POSITIVE_INFINITY);
    return [
      { key: waitingForAttribute, value: waitingFor.length > 0 ? waitingFor : null },
      { key: waitingSinceAttribute, value: waitingFor.length > 0 ? new Date(waiting.since) : null },
      { key: waitDeadlineAttribute, value: deadline === undefined ? null : new Date(deadline) },
      { key: reviewCaseIdAttribute, value: pending?.reviewCaseId ?? null },
    ];
  }

  // A status is visible (query, update results, search attribute, notification) only once it
  // is projected to MongoDB, so /verification/status never lags behind what a caller was told.
  async function moveTo(next: VerificationDecision): Promise<void> {
    const now = Date.now();
    if (awaitsVerificationData(next)) requestDeadlineAt = now + limits.requestDeadlineMs;
    else requestDeadlineAt = undefined;
    const limited = requestDeadlineAt === undefined ? next : withRequestLimits(next, requestDeadlineAt, attemptsUsed, limits);
    statusVersion += 1;
    wasPending ||= limited.status === VerificationState.pending;
    await recordVerificationStatus({ ...ref, decision: limited, statusVersion, mayHaveReviewCases: wasPending });
    decision = limited;
    lastChangeAt = now;
    upsertSearchAttributes([{ key: verificationStatusAttribute, value: decision.status }, ...(await waitingAttributes(now))]);
    notifier.statusChanged(statusVersion, { sessionId: input.sessionId, verificationId: input.verificationId, ...decision } as VerificationStatus);
  }

  await moveTo(
    await evaluateVerificationData({ ...ref, ...request, ...(input.verificationDataRef ? { verificationDataRef: input.verificationDataRef } : {}) }),
  );
  firstDecisionReached = true;

  while (!finished()) {
    const wakeAt = Math.min(lastChangeAt + limits.idleExpiryMs, requestDeadlineAt ?? Number.POSITIVE_INFINITY);
    const woken = await condition(() => cancelReason !== undefined || supplements.length > 0 || verdicts.length > 0, Math.max(1, wakeAt - Date.now()));
    if (cancelReason !== undefined) {
      await moveTo(cancelledDecision());
    } else if (!woken) {
      if (Date.now() >= wakeAt)
        await moveTo(
          requestDeadlineAt !== undefined && requestDeadlineAt <= lastChangeAt + limits.idleExpiryMs
            ? deadlineExceededDecision()
            : { status: VerificationState.expired },
        );
    } else if (verdicts.length > 0) {
      const { proof, ...verdict } = verdicts.shift() as ProvenVerdict;
      // A verdict can approve: it must come from the issuer's API (proof of origin), not from
      // anyone who can encode payloads (workflows started earlier accept it as before).
      if (patched(verdictsNeedProof) && !(await localDecisions.verifyVerdictProof({ ...ref, verdict, ...(proof ? { proof } : {}) }))) {
        log.warn('verdict without a valid proof of origin ignored', { source: verdict.source });
      } else {
        await moveTo(afterAttempt(await decideFromVerdict({ ...ref, ...request, verdict }), attemptsUsed, limits));
      }
    } else {
      const supplement = supplements.shift() as { seq: number; verificationDataRef: string };
      attemptsUsed += 1;
      await moveTo(
        afterAttempt(await evaluateVerificationData({ ...ref, ...request, verificationDataRef: supplement.verificationDataRef }), attemptsUsed, limits),
      );
      supplementsSettled = supplement.seq;
    }
  }
  // Supplements still queued when the verification became final are answered with the final status.
  supplementsSettled = supplementsReceived;

  await notifier.drain();
  await condition(allHandlersFinished);
  return { decision };
}

/**
 * A validator's refusal: typed, so that clients tell the reasons apart without reading the
 * message, and non-retryable, because the same message would be refused again.
 */
function refusal(type: VerificationRefusal, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

function isCancelled(decision: VerificationDecision): boolean {
  return decision.status === VerificationState.denied && decision.reasonCode === ReasonCode.cancelled;
}
