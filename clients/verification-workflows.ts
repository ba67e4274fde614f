import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { VerificationDecision } from '../domain/schemas/verification';
import { VerificationState } from '../domain/verification-state';
import {
  cancelUpdate,
  firstDecisionUpdate,
  supplementUpdate,
  verdictSignal,
  verificationWorkflowId,
  type VerificationVerdict,
  type VerificationWorkflowInput,
} from '../workflows/verification/messages';
import { credentialConfigurationIdsAttribute, tenantIdAttribute, verificationStatusAttribute } from '../workflows/verification/search-attributes';
import type { verificationWorkflow } from '../workflows/verification/workflow';

export class WorkflowNotStartedError extends Error {}

/** Why a workflow refused a message (its validator's first word; profile §Verification state machine). */
export type VerificationRefusal = 'final' | 'not_awaiting_data' | 'wrong_verification';

export type MessageOutcome = { accepted: true; decision: VerificationDecision } | { accepted: false; refusal: VerificationRefusal };

export interface VerificationWorkflows {
  /**
   * Starts the session's VerificationWorkflow and returns its first decision if the workflow
   * reaches one within the bounded wait, otherwise PENDING. Throws WorkflowNotStartedError when
   * the workflow certainly did not start (so the caller may undo what it wrote).
   */
  start(input: VerificationWorkflowInput & { credentialConfigurationIds: string[] }): Promise<VerificationDecision>;
  /** Hands a stored supplement to the workflow; returns the status after evaluating it (bounded). */
  supplement(session: WorkflowSessionRef, verificationDataRef: string): Promise<MessageOutcome>;
  cancel(session: WorkflowSessionRef, reason: string): Promise<MessageOutcome>;
  /** Delivers an asynchronous verdict (provider or reviewer). */
  sendVerdict(session: WorkflowSessionRef, verdict: VerificationVerdict): Promise<void>;
}

export interface WorkflowSessionRef {
  tenantId: string;
  sessionId: string;
  verificationId: string;
}

function refusalOf(error: unknown): VerificationRefusal | undefined {
  // A completed workflow takes no messages: the verification is final.
  if (error instanceof WorkflowNotFoundError) return 'final';
  if (error instanceof WorkflowUpdateFailedError) {
    const word = /^(final|not_awaiting_data|wrong_verification):/.exec(error.cause?.message ?? '')?.[1];
    return word as VerificationRefusal | undefined;
  }
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
export function createVerificationWorkflows(client: Client, taskQueue: string, outboundTaskQueue?: string): VerificationWorkflows {
  const handle = (session: WorkflowSessionRef) => client.workflow.getHandle<typeof verificationWorkflow>(verificationWorkflowId(session));
  return {
    supplement: (session, verificationDataRef) => sendUpdate(() => handle(session).executeUpdate(supplementUpdate, { args: [{ verificationId: session.verificationId, verificationDataRef }] })),
    cancel: (session, reason) => sendUpdate(() => handle(session).executeUpdate(cancelUpdate, { args: [{ verificationId: session.verificationId, reason }] })),
    sendVerdict: (session, verdict) => handle(session).signal(verdictSignal, verdict),

    async start({ credentialConfigurationIds, ...input }) {
      const startOperation = new WithStartWorkflowOperation<typeof verificationWorkflow>('verificationWorkflow', {
        workflowId: verificationWorkflowId(input),
        taskQueue,
        args: [{ ...input, ...(outboundTaskQueue ? { outboundTaskQueue } : {}) }],
        // One workflow per verification, ever (the sessionId's single use is MongoDB's _id).
        workflowIdConflictPolicy: 'FAIL',
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
      const start = await settleWithin(startOperation.workflowHandle(), 5000);
      if (start.kind === 'rejected') {
        throw new WorkflowNotStartedError('the verification workflow could not be started', { cause: start.error });
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
