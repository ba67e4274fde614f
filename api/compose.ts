import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { createVerificationWorkflows } from '../clients/verification-workflows';
import { loadIssuerKeyMaterial } from '../config/components';
import type { AppConfig } from '../config/config';
import { loadCredentialCatalogue, loadEvaluators, verificationWorkflowSettings } from '../config/verification';
import { createEvaluatorPorts } from '../activities/evaluator-ports';
import { createIdempotencyRepository } from '../store/idempotency';
import { createTenantRepository } from '../store/tenants';
import { createVerificationDataRepository } from '../store/verification-data';
import { createVerificationSessionRepository } from '../store/verification-sessions';
import type { ApiDeps } from './app';
import { crashAfter } from './fault-injection';
import type { AdminDeps } from './admin/app';
import { loadReviewerTokens } from './admin/reviewer-auth';
import { createReviewCaseRepository } from '../store/review-cases';
import { createCredentialOfferRepository } from '../store/credential-offers';
import { createOneTimeCodeRepository } from '../store/one-time-codes';
import { createIssuerAuthenticationRepository } from '../store/issuer-authentications';

/** Everything the Issuer API needs, built from configuration (used by api/main.ts and the tests). */
export function composeApiDeps(options: { config: AppConfig; db: Db; temporal: Client; logger: Logger }): ApiDeps {
  const { config, db } = options;
  const { issuerKeys, dataKeyring } = loadIssuerKeyMaterial(config);
  return {
    logger: options.logger,
    tenants: createTenantRepository(db),
    idempotency: createIdempotencyRepository(db, { retentionMs: config.api.idempotencyRetentionMs, leaseMs: config.api.idempotencyLeaseMs }),
    crashAfter: crashAfter(config.api.crashAfter),
    serverTiming: config.api.serverTiming,
    sessions: createVerificationSessionRepository(db),
    verificationData: createVerificationDataRepository(db, dataKeyring),
    catalogue: loadCredentialCatalogue(config.verification),
    evaluators: loadEvaluators(config.verification, createEvaluatorPorts(db)),
    issuerKeys,
    workflows: createVerificationWorkflows(options.temporal, config.temporal.taskQueue, config.temporal.outboundTaskQueue),
    bodyLimitBytes: config.api.bodyLimitBytes,
    ...verificationWorkflowSettings(config),
  };
}

/**
 * The reviewers' admin API, sharing the Issuer API's repositories and workflow client.
 * `reviewClock` times review claims (the system clock unless a test moves its own).
 */
export function composeAdminDeps(options: { config: AppConfig; db: Db; api: ApiDeps; reviewClock?: () => Date }): AdminDeps {
  return {
    logger: options.api.logger,
    reviewCases: createReviewCaseRepository(options.db, options.reviewClock),
    verificationData: options.api.verificationData,
    workflows: options.api.workflows,
    reviewerTokens: loadReviewerTokens(options.config.admin.tokensFile),
    claimMs: options.config.admin.claimMs,
    offers: createCredentialOfferRepository(options.db),
    oneTimeCodes: createOneTimeCodeRepository(options.db),
    authentications: createIssuerAuthenticationRepository(options.db),
    sessions: options.api.sessions,
    catalogue: options.api.catalogue,
    issuerUrl: options.config.api.publicUrl,
  };
}
