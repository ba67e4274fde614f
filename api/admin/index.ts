import type { AdminDeps } from './app';
import { createCredentialOfferRoute } from './back-office/create-credential-offer';
import { holderDataChangedRoute } from './back-office/holder-data-changed';
import { issueOneTimeCodeRoute } from './back-office/issue-one-time-code';
import {
  lifecycleBatchProgressRoute,
  manageCredentialInstanceRoute,
  manageHolderCredentialsRoute,
  manageWalletServerCredentialsRoute,
  reconcileCredentialInstanceRoute,
} from './back-office/manage-credentials';
import { completeIssuerAuthenticationRoute } from './issuer-sign-in/complete-issuer-authentication';
import { reportVerdictRoute } from './providers/report-verdict';
import { auditTrailRoute } from './reviewers/audit-trail';
import { claimReviewCaseRoute } from './reviewers/claim-review-case';
import { decideReviewCaseRoute } from './reviewers/decide-review-case';
import { listReviewCasesRoute } from './reviewers/list-review-cases';
import { viewEvidenceRoute } from './reviewers/view-evidence';
import type { AdminRoute } from './route';

/**
 * Every route of the admin listener, grouped by caller (one folder each). The admin router
 * (api/admin/app.ts) is built from this table; adding an admin endpoint is adding it here.
 */
export const adminRoutes: readonly AdminRoute<AdminDeps>[] = [
  // Reviewers (profile §16 Manual review)
  listReviewCasesRoute,
  claimReviewCaseRoute,
  viewEvidenceRoute,
  decideReviewCaseRoute,
  auditTrailRoute,
  // The issuer's back office (profile §17, §20, §25, §29)
  createCredentialOfferRoute,
  issueOneTimeCodeRoute,
  holderDataChangedRoute,
  manageCredentialInstanceRoute,
  manageHolderCredentialsRoute,
  reconcileCredentialInstanceRoute,
  manageWalletServerCredentialsRoute,
  lifecycleBatchProgressRoute,
  // The issuer's sign-in surface (profile §21)
  completeIssuerAuthenticationRoute,
  // Asynchronous verification providers (profile §12)
  reportVerdictRoute,
];
