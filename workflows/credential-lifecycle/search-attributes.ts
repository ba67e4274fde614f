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

export const credentialLifecycleSearchAttributes = [tenantIdAttribute, credentialStatusAttribute, credentialConfigurationIdAttribute];
