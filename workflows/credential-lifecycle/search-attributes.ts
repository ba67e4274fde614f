import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { tenantIdAttribute } from '../verification/search-attributes';

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

export const credentialLifecycleSearchAttributes = [
  tenantIdAttribute,
  credentialStatusAttribute,
  credentialConfigurationIdAttribute,
  credentialWalletSyncAttribute,
];
