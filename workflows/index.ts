/** Every workflow the worker registers. Deterministic code only (enforced by eslint.config.mjs). */
export { verificationWorkflow } from './verification/workflow';
export { reconciliationWorkflow } from './reconciliation/workflow';
export { retentionWorkflow } from './retention/workflow';
export { credentialLifecycleWorkflow } from './credential-lifecycle/workflow';
export { credentialLifecycleBatchWorkflow } from './credential-lifecycle-batch/workflow';
