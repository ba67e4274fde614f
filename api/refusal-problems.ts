import { problems, type ProblemError } from '../domain/problems';
import { VerificationRefusal } from '../domain/verification-refusals';

/** The Problem for each reason a VerificationWorkflow refuses a message; every reason has one. */
const problemFor: Record<VerificationRefusal, (status: string) => ProblemError> = {
  [VerificationRefusal.final]: problems.verificationFinal,
  [VerificationRefusal.notAwaitingData]: problems.verificationNotAwaitingData,
  // Profile §Re-verification: a superseded verification has ended for its caller.
  [VerificationRefusal.wrongVerification]: problems.verificationFinal,
};

/** The 409 Problem for a refused supplement or cancellation; `status` is the verification's current status. */
export function refusalProblem(refusal: VerificationRefusal, status: string): ProblemError {
  return problemFor[refusal](status);
}
