import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { refusalProblem } from '../../api/refusal-problems';
import { refusalOf } from '../../clients/temporal/verification-workflows';
import { ProblemType } from '../../domain/problems';
import { VerificationRefusal } from '../../domain/verification-refusals';

const refusedWith = (type: string) =>
  new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type, message: 'the verification is APPROVED', nonRetryable: true }));

describe('refusalOf (clients/temporal/verification-workflows.ts): the refusal is the ApplicationFailure type', () => {
  it.each(Object.values(VerificationRefusal))('reads %s from a refused Update', (type) => {
    expect(refusalOf(refusedWith(type))).toBe(type);
  });

  it('does not read the message: an old-style "final:" message with another type is no refusal', () => {
    expect(
      refusalOf(
        new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type: 'Error', message: 'final: the verification is APPROVED' })),
      ),
    ).toBeUndefined();
  });

  it('treats a workflow that no longer exists as final', () => {
    expect(refusalOf(new WorkflowNotFoundError('not found', 'verification-t-s-v', undefined))).toBe(VerificationRefusal.final);
  });

  it('treats other failures as no refusal (the caller answers 503)', () => {
    expect(refusalOf(new Error('connection refused'))).toBeUndefined();
    expect(refusalOf(new WorkflowUpdateFailedError('Workflow Update failed', undefined))).toBeUndefined();
  });
});

describe('refusalProblem (api/refusal-problems.ts): each refusal is a 409 Problem', () => {
  it.each([
    [VerificationRefusal.final, ProblemType.verificationFinal],
    [VerificationRefusal.notAwaitingData, ProblemType.verificationNotAwaitingData],
    // Profile §Re-verification: a superseded verification has ended for its caller.
    [VerificationRefusal.wrongVerification, ProblemType.verificationFinal],
  ])('%s → %s', (refusal, problemType) => {
    const problem = refusalProblem(refusal, 'APPROVED');
    expect(problem.type).toBe(problemType);
    expect(problem.status).toBe(409);
    expect(problem.message).toContain('APPROVED');
  });
});
