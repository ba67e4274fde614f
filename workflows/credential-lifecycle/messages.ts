import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export { credentialLifecycleWorkflowId } from '../../domain/workflow-ids';

/**
 * What one credential instance's CredentialLifecycleWorkflow is started with: identifiers only
 * (no claims, no keys), so its history holds no personal data.
 */
export interface CredentialLifecycleInput {
  tenantId: string;
  sessionId: string;
  /** The APPROVED verification the instance was provisioned for. */
  verificationId: string;
  credentialInstanceId: string;
  credentialConfigurationId: string;
  /** The issuer's holder account the credentials are issued from (profile §27, Session → holder). */
  holderAccountId: string;
  /** Task queue of calls to the Wallet Server (docs/architecture.md §Outbound calls). */
  outboundTaskQueue: string;
  /** Longest wait between two looks at holder data that is not ready (deferred issuance); 1 hour when absent. */
  deferredPollMs?: number;
  /** History length at which the workflow continues as new; 10 000 when absent (tests set it low). */
  historyEventLimit?: number;
}

/** The argument of a get (S2S §Get Credential): references only; the proven keys stay in MongoDB. */
export interface IssueCredentialsArgs {
  /** store/credential-requests.ts ref of the verified request (keys, current metadata version). */
  requestRef: string;
  /** The get's x-request-id: the Update id is `get-<requestId>`, and CREDENTIAL_READY names it. */
  requestId: string;
  /** The API's proof of origin over requestRef and requestId (crypto/message-proof.ts), as `<kid>.<mac>`. */
  proof?: string;
}

/**
 * What a get comes to:
 * - issued: the credentials are in the delivery `deliveryRef` (store/credential-deliveries.ts), a
 *   JWE to the request's walletEncryptionKey; `credentialVersion` identifies the holder data set;
 * - pending: the issuer's data is not ready (deferred issuance, profile §25): 202, CREDENTIAL_READY follows;
 * - unavailable: the issuer has no data for this holder and configuration, or it lacks mandatory claims;
 * - closed: the instance's lifecycle has ended (its workflow is closed).
 */
export type IssueOutcome =
  | { outcome: 'issued'; credentialVersion: string; deliveryRef: string }
  | { outcome: 'pending'; notReadyUntil?: string }
  | { outcome: 'unavailable'; reason: 'no_data' | 'incomplete' }
  | { outcome: 'closed' };

/** The message name a get's proof of origin covers (crypto/message-proof.ts), over `{ requestRef, requestId }`. */
export const issueProofMessage = 'issueCredentials';

/** A get: runs issuance (S2S §Get Credential). Update id `get-<requestId>`, so a retried get is the same Update. */
export const issueCredentialsUpdate = defineUpdate<IssueOutcome, [IssueCredentialsArgs]>('issueCredentials');

/** The back office says the holder's records changed: a deferred issuance looks at them again now. */
export const holderDataChangedSignal = defineSignal('holderDataChanged');

/** A deferred issuance waiting for the issuer's data (identifiers and times only). */
export interface DeferredIssuance {
  /** The x-request-id of the get that found the data not ready; CREDENTIAL_READY's triggeringRequestId. */
  triggeringRequestId: string;
  /** The issuer's estimate, ISO 8601, when it has one. */
  notReadyUntil?: string;
}

/** What the workflow knows (identifiers, versions, times: no personal data). */
export interface CredentialLifecycleState {
  /** The holder data set version of the last credentials issued, if any. */
  credentialVersion?: string;
  /** Set while a get is deferred and CREDENTIAL_READY is not sent yet. */
  deferred?: DeferredIssuance;
  /** The triggeringRequestIds of CREDENTIAL_READY notifications sent (newest last, bounded). */
  readyNotified: string[];
}

export const credentialLifecycleStateQuery = defineQuery<CredentialLifecycleState>('credentialLifecycleState');

/** Types of the ApplicationFailures by which the workflow refuses a get. */
export const CredentialLifecycleRefusal = {
  /** The Update lacks the API's proof of origin (crypto/message-proof.ts): nothing is issued. */
  unproven: 'IssueRequestUnproven',
} as const;
