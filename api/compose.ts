import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { createVerificationWorkflows } from '../clients/verification-workflows';
import { loadIssuerKeyMaterial } from '../config/components';
import type { AppConfig } from '../config/config';
import { loadCredentialCatalogue, loadEvaluators } from '../config/verification';
import { createIdempotencyRepository } from '../store/idempotency';
import { createTenantRepository } from '../store/tenants';
import { createVerificationDataRepository } from '../store/verification-data';
import { createVerificationSessionRepository } from '../store/verification-sessions';
import type { ApiDeps } from './app';

/** Everything the Issuer API needs, built from configuration (used by api/main.ts and the tests). */
export function composeApiDeps(options: { config: AppConfig; db: Db; temporal: Client; logger: Logger }): ApiDeps {
  const { config, db } = options;
  const { issuerKeys, dataKeyring } = loadIssuerKeyMaterial(config);
  return {
    logger: options.logger,
    tenants: createTenantRepository(db),
    idempotency: createIdempotencyRepository(db, config.api.idempotencyRetentionMs),
    sessions: createVerificationSessionRepository(db),
    verificationData: createVerificationDataRepository(db, dataKeyring),
    catalogue: loadCredentialCatalogue(config.verification),
    evaluators: loadEvaluators(config.verification),
    issuerKeys,
    workflows: createVerificationWorkflows(options.temporal, config.temporal.taskQueue),
    bodyLimitBytes: config.api.bodyLimitBytes,
    initialDecisionWaitMs: config.api.initialDecisionWaitMs,
    idleExpiryMs: config.verification.idleExpiryMs,
    limits: { requestDeadlineMs: config.verification.requestDeadlineMs, maxAttempts: config.verification.maxAttempts },
  };
}
