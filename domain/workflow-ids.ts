/**
 * Workflow id of one verification: `verification-<tenant>-<sessionId>-<verificationId>`, so an
 * operator finds every verification of a session with `WorkflowId STARTS_WITH "verification-<tenant>-<sessionId>"`.
 * Deterministic, so that a retried start attaches to the workflow an earlier attempt started.
 */
export function verificationWorkflowId(ref: { tenantId: string; sessionId: string; verificationId: string }): string {
  return `verification-${ref.tenantId}-${ref.sessionId}-${ref.verificationId}`;
}
