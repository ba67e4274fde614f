/**
 * Workflow id of one verification: `verification-<tenant>-<sessionId>-<verificationId>`, so an
 * operator finds every verification of a session with `WorkflowId STARTS_WITH "verification-<tenant>-<sessionId>"`.
 * Deterministic, so that a retried start attaches to the workflow an earlier attempt started.
 */
export function verificationWorkflowId(ref: { tenantId: string; sessionId: string; verificationId: string }): string {
  return `verification-${ref.tenantId}-${ref.sessionId}-${ref.verificationId}`;
}

const uuidLength = 36;

/** The identifiers in a verification workflow id (sessionId and verificationId are canonical UUIDs). */
export function parseVerificationWorkflowId(workflowId: string): { tenantId: string; sessionId: string; verificationId: string } | null {
  const prefix = 'verification-';
  if (!workflowId.startsWith(prefix) || workflowId.length < prefix.length + 2 + 2 * (uuidLength + 1)) return null;
  const verificationId = workflowId.slice(-uuidLength);
  const sessionId = workflowId.slice(-2 * uuidLength - 1, -uuidLength - 1);
  const tenantId = workflowId.slice(prefix.length, -2 * uuidLength - 2);
  return tenantId ? { tenantId, sessionId, verificationId } : null;
}

/**
 * Workflow id of one credential instance's lifecycle: `credential-<tenant>-<credentialInstanceId>`.
 * Deterministic, so a retried provision or get reaches the workflow the first one started.
 */
export function credentialLifecycleWorkflowId(ref: { tenantId: string; credentialInstanceId: string }): string {
  return `credential-${ref.tenantId}-${ref.credentialInstanceId}`;
}
