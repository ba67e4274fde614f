import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes on every VerificationWorkflow, so an operator can filter in the
 * Temporal UI, e.g. `S2sTenantId = "…" AND S2sVerificationStatus = "PENDING"`.
 * They are registered when the dev server starts (startTemporalDevServer in dev/processes.ts)
 * and by the temporal-search-attributes service of docker-compose.yml.
 * Values are identifiers and states only, never personal data.
 */
export const tenantIdAttribute = defineSearchAttributeKey('S2sTenantId', SearchAttributeType.KEYWORD);
export const verificationStatusAttribute = defineSearchAttributeKey('S2sVerificationStatus', SearchAttributeType.KEYWORD);
export const credentialConfigurationIdsAttribute = defineSearchAttributeKey('S2sCredentialConfigurationIds', SearchAttributeType.KEYWORD_LIST);

export const verificationSearchAttributes = [tenantIdAttribute, verificationStatusAttribute, credentialConfigurationIdsAttribute];
