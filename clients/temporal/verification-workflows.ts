import type { MessageProofs } from '../../crypto/message-proof';
import type { MessageProof } from '../../domain/message-proof';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { VerificationDecision } from '../../domain/schemas/verification';
import { parseVerificationWorkflowId } from '../../domain/workflow-ids';
import { VerificationState } from '../../domain/verification-state';
import {
  cancelUpdate,
  firstDecisionUpdate,
  isVerificationRefusal,
  supplementUpdate,
  verdictSignal,
  VerificationRefusal,
  verificationWorkflowId,
  type VerificationVerdict,
  type VerificationWorkflowInput,
} from '../../workflows/verification/messages';
import { credentialConfigurationIdsAttribute, tenantIdAttribute, verificationStatusAttribute } from '../../workflows/verification/search-attributes';
import type { verificationWorkflow } from '../../workflows/verification/workflow';

export class WorkflowNotStartedError extends Error {}

/**
 * Starting failed and Temporal could not be asked whether the workflow exists (it was down): the
 * start may have been persisted. Nothing may be undone; a retry of the request attaches to it or
 * starts it.
 */
export class WorkflowStartUnknownError extends Error {}

/**
 * The verification's workflow ran and has closed (a retried initiate after the first execution
 * started it and it finished): its final status is in the session's projection.
 */
export class WorkflowAlreadyClosedError extends Error {}

export type MessageOutcome = { accepted: true; decision: VerificationDecision } | { accepted: false; refusal: VerificationRefusal };

export interface VerificationWorkflows {
  /**
   * Starts the session's VerificationWorkflow and returns its first decision if the workflow
   * reaches one within the bounded wait, otherwise PENDING. Throws WorkflowNotStartedError when
   * the workflow certainly did not start (so the caller may undo what it wrote). Starting a
   * verification whose workflow already runs attaches to it (a retried initiate); one that has
   * closed throws WorkflowAlreadyClosedError.
   */
  start(input: VerificationWorkflowInput & { credentialConfigurationIds: string[] }): Promise<VerificationDecision>;
  /**
   * Hands a stored supplement to the workflow; returns the status after evaluating it (bounded).
   * `updateId` (the request's x-request-id) makes a retried delivery the same Update.
   */
  supplement(session: WorkflowSessionRef, verificationDataRef: string, updateId: string): Promise<MessageOutcome>;
  cancel(session: WorkflowSessionRef, reason: string, updateId: string): Promise<MessageOutcome>;
  /** Delivers an asynchronous verdict (provider or reviewer). */
  sendVerdict(session: WorkflowSessionRef, verdict: VerificationVerdict): Promise<void>;
  /** Whether the verification's workflow runs, has closed, or was never started (reconciliation). */
  describe(session: WorkflowSessionRef): Promise<'running' | 'closed' | 'missing'>;
  /** Verifications whose workflow closed since `since` without completing (failed, terminated, timed out). */
  listAbortedSince(since: Date, limit: number): Promise<WorkflowSessionRef[]>;
}

export interface WorkflowSessionRef {
  tenantId: string;
  sessionId: string;
  verificationId: string;
}

/**
 * Why the workflow refused an Update, if it did: the type of the ApplicationFailure its
 * validator threw (profile §Verification state machine). Any other failure is not a refusal.
 */
export function refusalOf(error: unknown): VerificationRefusal | undefined {
  // A completed workflow takes no messages: the verification is final.
  if (error instanceof WorkflowNotFoundError) return VerificationRefusal.final;
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && isVerificationRefusal(error.cause.type))
    return error.cause.type;
  return undefined;
}

async function sendUpdate(run: () => Promise<VerificationDecision>): Promise<MessageOutcome> {
  try {
    return { accepted: true, decision: await run() };
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) return { accepted: false, refusal };
    throw error;
  }
}

/**
 * `outboundTaskQueue` is where the workflows' calls to Wallet Servers run (docs/architecture.md
 * §Outbound calls); without it they run on `taskQueue`.
 */
export function createVerificationWorkflows(
  client: Client,
  taskQueue: string,
  outboundTaskQueue?: string,
  proofs?: Pick<MessageProofs, 'sign'>,
): VerificationWorkflows {
  // Messages that change a decision carry the API's proof of origin (the workflow ignores them without).
  const withProof = <T extends object>(session: WorkflowSessionRef, message: string, payload: T): T & { proof?: MessageProof } =>
    proofs ? { ...payload, proof: proofs.sign(verificationWorkflowId(session), message, payload) } : payload;
  const handle = (session: WorkflowSessionRef) => client.workflow.getHandle<typeof verificationWorkflow>(verificationWorkflowId(session));
  async function describeWorkflow(session: WorkflowSessionRef): Promise<'running' | 'closed' | 'missing'> {
    try {
      const description = await handle(session).describe();
      return description.status.name === 'RUNNING' ? 'running' : 'closed';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'missing';
      throw error;
    }
  }
  return {
    supplement: (session, verificationDataRef, updateId) =>
      sendUpdate(() =>
        handle(session).executeUpdate(supplementUpdate, {
          args: [withProof(session, 'supplement', { verificationId: session.verificationId, verificationDataRef })],
          updateId,
        }),
      ),
    cancel: (session, reason, updateId) =>
      sendUpdate(() =>
        handle(session).executeUpdate(cancelUpdate, { args: [withProof(session, 'cancel', { verificationId: session.verificationId, reason })], updateId }),
      ),
    // A verdict carries the API's proof of origin (the workflow ignores one without).
    sendVerdict: (session, verdict) => handle(session).signal(verdictSignal, withProof(session, 'verdict', verdict)),

    describe: describeWorkflow,

    async listAbortedSince(since, limit) {
      const closedBadly = ['Failed', 'Terminated', 'TimedOut', 'Canceled'].map((status) => `ExecutionStatus = '${status}'`).join(' OR ');
      const query = `WorkflowType = 'verificationWorkflow' AND (${closedBadly}) AND CloseTime > '${since.toISOString()}'`;
      const refs: WorkflowSessionRef[] = [];
      for await (const execution of client.workflow.list({ query })) {
        const ref = parseVerificationWorkflowId(execution.workflowId);
        if (ref) refs.push(ref);
        if (refs.length >= limit) break;
      }
      return refs;
    },

    async start({ credentialConfigurationIds, ...input }) {
      const startOperation = new WithStartWorkflowOperation<typeof verificationWorkflow>('verificationWorkflow', {
        workflowId: verificationWorkflowId(input),
        taskQueue,
        args: [{ ...input, ...(outboundTaskQueue ? { outboundTaskQueue } : {}) }],
        // One workflow per verification, ever (the sessionId's single use is MongoDB's _id); a
        // retried initiate (after a crash) attaches to the workflow its first execution started.
        workflowIdConflictPolicy: 'USE_EXISTING',
        // A run that failed (e.g. its session was rolled back) may be replaced by a retry.
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        typedSearchAttributes: [
          { key: tenantIdAttribute, value: input.tenantId },
          { key: verificationStatusAttribute, value: VerificationState.pending },
          { key: credentialConfigurationIdsAttribute, value: credentialConfigurationIds },
        ],
      });
      const pending: VerificationDecision = { status: VerificationState.pending };
      const update = client.workflow.executeUpdateWithStart(firstDecisionUpdate, { startWorkflowOperation: startOperation });
      // The workflow bounds its own wait; this margin only covers a worker that is not polling.
      const outcome = await settleWithin(update, input.initialDecisionWaitMs + 2000);
      if (outcome.kind === 'resolved') return outcome.value;
      if (outcome.kind === 'rejected' && outcome.error instanceof WorkflowExecutionAlreadyStartedError) {
        throw new WorkflowAlreadyClosedError('the verification workflow has already closed', { cause: outcome.error });
      }
      const start = await settleWithin(startOperation.workflowHandle(), 5000);
      if (start.kind === 'rejected') {
        // A failed call does not mean the start was not persisted (Temporal may have died after
        // writing it): only Temporal's own answer says so.
        const exists = await describeWorkflow(input).catch(() => 'unknown' as const);
        if (exists === 'missing') throw new WorkflowNotStartedError('the verification workflow could not be started', { cause: start.error });
        if (exists === 'closed') throw new WorkflowAlreadyClosedError('the verification workflow has already closed', { cause: start.error });
        if (exists === 'unknown') throw new WorkflowStartUnknownError('whether the verification workflow started is not known', { cause: start.error });
      }
      // Started (or still starting): the decision is not available yet, /verification/status will have it.
      return pending;
    },
  };
}

type Settled<T> = { kind: 'resolved'; value: T } | { kind: 'rejected'; error: unknown } | { kind: 'timed_out' };

function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timed_out' }), ms);
  });
  return Promise.race([
    promise.then(
      (value): Settled<T> => ({ kind: 'resolved', value }),
      (error: unknown): Settled<T> => ({ kind: 'rejected', error }),
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}
