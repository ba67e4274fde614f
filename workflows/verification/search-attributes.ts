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

/**
 * What the workflow waits for now (domain/waiting-for.ts: WALLET_DATA, ISSUER_SIGN_IN, REVIEWER,
 * PROVIDER; WALLET_SERVER on a credential instance whose Wallet Server has not acknowledged), and
 * since when; empty once nothing is awaited. `S2sWaitingFor = "REVIEWER" AND S2sWaitingSince <
 * "…"` lists the verifications a reviewer has left waiting. Shared by both workflows.
 */
export const waitingForAttribute = defineSearchAttributeKey('S2sWaitingFor', SearchAttributeType.KEYWORD_LIST);
export const waitingSinceAttribute = defineSearchAttributeKey('S2sWaitingSince', SearchAttributeType.DATETIME);
/** When the verification ends if nothing comes (its request deadline or idle expiry). */
export const waitDeadlineAttribute = defineSearchAttributeKey('S2sWaitDeadline', SearchAttributeType.DATETIME);
/** The open review case of a verification waiting for a reviewer (the reviewer console's id). */
export const reviewCaseIdAttribute = defineSearchAttributeKey('S2sReviewCaseId', SearchAttributeType.KEYWORD);

export const verificationSearchAttributes = [
  tenantIdAttribute,
  verificationStatusAttribute,
  credentialConfigurationIdsAttribute,
  waitingForAttribute,
  waitingSinceAttribute,
  waitDeadlineAttribute,
  reviewCaseIdAttribute,
];
