import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { LifecycleActor, LifecycleFailureReason, LifecycleState, ManageOutcome, WalletAction } from '../../domain/credential-lifecycle';

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
  /** PROVISIONING_FAILURE reports (since the last PROVISIONING_SUCCESS) after which the issuer cancels the instance; absent: never (profile §29). */
  provisioningFailureLimit?: number;
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
 * - suspended: the instance is suspended (profile §29): nothing is issued until it is resumed;
 * - closed: the instance's lifecycle has ended (unlinked, cancelled, or its workflow is closed).
 */
export type IssueOutcome =
  | { outcome: 'issued'; credentialVersion: string; deliveryRef: string; refreshAt?: string }
  | { outcome: 'pending'; notReadyUntil?: string }
  | { outcome: 'unavailable'; reason: 'no_data' | 'incomplete' }
  | { outcome: 'suspended'; status: LifecycleState }
  | { outcome: 'closed' };

/** The message name a get's proof of origin covers (crypto/message-proof.ts), over `{ requestRef, requestId }`. */
export const issueProofMessage = 'issueCredentials';

/** A get: runs issuance (S2S §Get Credential). Update id `get-<requestId>`, so a retried get is the same Update. */
export const issueCredentialsUpdate = defineUpdate<IssueOutcome, [IssueCredentialsArgs]>('issueCredentials');

/**
 * A lifecycle request (profile §29): the Wallet Server's `/credential/manage` or the issuer's back
 * office. Identifiers and codes only: `reasonDetail` (free text) never reaches the workflow.
 */
export interface ManageCredentialArgs {
  actor: LifecycleActor;
  /** SUSPEND, RESUME, UNLINK (wallet) or SUSPEND, RESUME, CANCEL (issuer); the validator refuses others. */
  action: string;
  /** Machine-readable reason code; becomes lastStatusChangeReason. */
  reason?: string;
  /** The request's x-request-id (wallet) or the back-office request id: the Update id is `manage-<requestId>`. */
  requestId: string;
  /** The API's proof of origin over `{ actor, action, reason, requestId }` (crypto/message-proof.ts), as `<kid>.<mac>`. */
  proof?: string;
}

/** S2S §Credential Manage response members the workflow decides. */
export interface ManageCredentialResult {
  currentStatus: LifecycleState;
  previousStatus: LifecycleState;
  outcome: ManageOutcome;
  failureReason?: LifecycleFailureReason;
}

/** The message name a lifecycle request's proof of origin covers, over manageProofPayload. */
export const manageProofMessage = 'manageCredential';

/** What a lifecycle request's proof of origin covers (the API signs it, the workflow's activity checks it). */
export function manageProofPayload(args: Omit<ManageCredentialArgs, 'proof'>): Record<string, unknown> {
  return { actor: args.actor, action: args.action, reason: args.reason ?? null, requestId: args.requestId };
}

/** A lifecycle request (profile §29). Update id `manage-<requestId>`, so a retried request is the same Update. */
export const manageCredentialUpdate = defineUpdate<ManageCredentialResult, [ManageCredentialArgs]>('manageCredential');

/** The Wallet Server reported an event for the instance (its /event/notify to the issuer). */
export const walletEventSignal = defineSignal<[WalletEventRecord]>('walletEvent');

/** The display data of the instance's configuration changed (a new credential metadata version, profile §27). */
export const displayDataUpdatedSignal = defineSignal<[{ credentialMetadataVersion: string }]>('displayDataUpdated');

/** Reconcile with the Wallet Server's view now (the reconciliation pass, or an operator). */
export const reconcileSignal = defineSignal<[{ reconciliationId: string }]>('reconcile');

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
  /**
   * The instance's lifecycle (profile §29). Absent in states carried from runs before the
   * lifecycle existed: IN_PROCESS until something was issued, ACTIVE after (lifecycleOf).
   */
  lifecycle?: LifecycleRecord;
  /** An issuer change the Wallet Server is still to be told of (the newest one; profile §29). */
  walletPush?: WalletPush;
  /** How the last push ended, and what the Wallet Server later reported of it (LIFECYCLE_SUCCESS / _FAILURE). */
  lastWalletPush?: { statusVersion: number; outcome: 'delivered' | 'abandoned'; walletReported?: 'success' | 'failure'; failureReason?: string };
  /** When the credentials last issued are due for refresh (profile §29, Refresh); ISO 8601. */
  refreshAt?: string;
  /** The refreshAt for which fresh credentials were last offered. */
  refreshOffered?: string;
  /** The newest credentialVersion offered by CREDENTIAL_UPDATE_AVAILABLE, and how telling it ended. */
  updateOffered?: { credentialVersion: string; outcome: 'delivered' | 'abandoned' };
  /** The credentialVersion the Wallet Server last reported on the device (PROVISIONING_SUCCESS, UPDATE_SUCCESS). */
  walletCredentialVersion?: string;
  /** PROVISIONING_FAILURE reports since the last PROVISIONING_SUCCESS. */
  provisioningFailures?: number;
  /** The Wallet Server's latest events (newest last, bounded): types, times and codes only. */
  walletEvents?: WalletEventRecord[];
  /** A new credential metadata version the Wallet Server is still to be told of (DISPLAY_DATA_UPDATED). */
  displayPending?: string;
  /** The last credential metadata version told, and how telling it ended. */
  displayNotified?: { credentialMetadataVersion: string; outcome: 'delivered' | 'abandoned' };
  /** The last reconciliation with the Wallet Server's view (profile §29, Reconciliation). */
  reconciliation?: ReconciliationRecord;
  /** When the oldest call the Wallet Server has not acknowledged since began (ISO 8601; S2sWaitingSince). */
  unacknowledgedSince?: string;
}

/** One reconciliation: what the Wallet Server said and what was done about it. */
export interface ReconciliationRecord {
  reconciliationId: string;
  /** When it ran (ISO 8601, workflow time). */
  at: string;
  /** The Wallet Server's /credential/status (`NOT_FOUND` for 404), absent when it could not be asked. */
  walletView?: string;
  outcome: 'in_sync' | 'applied' | 'told' | 'reported' | 'unreachable';
  /** The Wallet Server's move applied, the action told, or why it was reported. */
  detail?: string;
}

/** A Wallet Server event as the workflow keeps it (S2S §Event Notification; profile §29). */
export interface WalletEventRecord {
  eventType: string;
  eventTimestamp: string;
  triggeringRequestId?: string;
  /** failureReason, action, credentialVersion, expiresAt, counts: the event's details, codes only. */
  details?: Record<string, string | number>;
}

/** An issuer change to tell the Wallet Server by its /credential/manage (S2S §Credential Manage). */
export interface WalletPush {
  action: WalletAction;
  reason: string;
  /** The lifecycle statusVersion it reports: the push's x-request-id derives from it. */
  statusVersion: number;
  /** When the change was made (ISO 8601): the request's timestamp. */
  timestamp: string;
  /** Set when reconciliation tells a change again: a new x-request-id, not a duplicate of the first. */
  attemptKey?: string;
}

/** Where an instance is in its lifecycle, as the workflow projects it to MongoDB (/credential/status). */
export interface LifecycleRecord {
  status: LifecycleState;
  /** Counts the projections: a projection never overwrites a newer one. */
  statusVersion: number;
  /** When the status last changed (ISO 8601, workflow time). */
  changedAt: string;
  /** lastStatusChangeReason: the party's reason code, or `provisioned` / `issued`. */
  reason: string;
}

export const credentialLifecycleStateQuery = defineQuery<CredentialLifecycleState>('credentialLifecycleState');

/** Types of the ApplicationFailures by which the workflow refuses a get. */
export const CredentialLifecycleRefusal = {
  /** The Update lacks the API's proof of origin (crypto/message-proof.ts): nothing is issued. */
  unproven: 'IssueRequestUnproven',
  /** A lifecycle request for an action its party does not have (the validator refuses it first). */
  unknownAction: 'LifecycleActionUnknown',
} as const;
