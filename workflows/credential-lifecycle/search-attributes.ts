import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { tenantIdAttribute, waitingForAttribute, waitingSinceAttribute } from '../verification/search-attributes';

/**
 * Custom search attributes on every CredentialLifecycleWorkflow (profile §29), so an operator can
 * list, e.g., every suspended mDL of one Wallet Server in the Temporal UI:
 * `S2sTenantId = "…" AND S2sCredentialStatus = "SUSPENDED_ISSUER" AND S2sCredentialConfigurationId = "org.iso.18013.5.1.mDL"`.
 * Set when the workflow starts and on every status change; registered with the verification's
 * (startTemporalDevServer in dev/processes.ts, the temporal-search-attributes service of
 * docker-compose.yml). Identifiers and states only, never personal data.
 */
export const credentialStatusAttribute = defineSearchAttributeKey('S2sCredentialStatus', SearchAttributeType.KEYWORD);
export const credentialConfigurationIdAttribute = defineSearchAttributeKey('S2sCredentialConfigurationId', SearchAttributeType.KEYWORD);

/**
 * Whether the Wallet Server is known to share the issuer's view (profile §29, Reconciliation):
 * `OUT_OF_SYNC` once telling it something was given up, `NEEDS_REVIEW` when reconciliation found
 * a difference only a person can settle, `IN_SYNC` after a reconciliation that agreed or repaired.
 * The reconciliation pass looks for `OUT_OF_SYNC`.
 */
export const credentialWalletSyncAttribute = defineSearchAttributeKey('S2sCredentialWalletSync', SearchAttributeType.KEYWORD);
export const WalletSync = { outOfSync: 'OUT_OF_SYNC', needsReview: 'NEEDS_REVIEW', inSync: 'IN_SYNC' } as const;

/**
 * The outcome of the last call to the Wallet Server (a lifecycle change, an event): `PENDING`
 * while it is being made (retries included), `DELIVERED`, or `ABANDONED` after the draft's
 * retries. With S2sWaitingFor = WALLET_SERVER and S2sWaitingSince (when the unacknowledged call
 * began), `S2sWaitingFor = "WALLET_SERVER" AND S2sWaitingSince < "…"` lists the instances whose
 * Wallet Server has not acknowledged for that long.
 */
export const lastOutboundOutcomeAttribute = defineSearchAttributeKey('S2sLastOutboundOutcome', SearchAttributeType.KEYWORD);
export const OutboundOutcome = { pending: 'PENDING', delivered: 'DELIVERED', abandoned: 'ABANDONED' } as const;

export const credentialLifecycleSearchAttributes = [
  tenantIdAttribute,
  credentialStatusAttribute,
  credentialConfigurationIdAttribute,
  credentialWalletSyncAttribute,
  lastOutboundOutcomeAttribute,
  waitingForAttribute,
  waitingSinceAttribute,
];
