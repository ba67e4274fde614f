import Router, { type RouterMiddleware } from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { VerificationWorkflows } from '../clients/verification-workflows';
import type { IssuerKeys } from '../crypto/issuer-keys';
import type { CredentialCatalogue } from '../domain/credential-configurations';
import { problems } from '../domain/problems';
import type { EvaluatorRegistry } from '../domain/verification-types/evaluator';
import type { IdempotencyRepository } from '../store/idempotency';
import type { TenantRepository } from '../store/tenants';
import type { VerificationDataRepository } from '../store/verification-data';
import type { VerificationSessionRepository } from '../store/verification-sessions';
import type { VerificationWorkflowInput } from '../workflows/verification/messages';
import type { ApiMiddleware, ApiState } from './context';
import type { CrashAfter } from './fault-injection';
import { requireApiVersion } from './middleware/api-version';
import { idempotent } from './middleware/idempotency';
import { parseJsonBody } from './middleware/json-body';
import { renderProblems } from './middleware/problem-details';
import { requireRequestId } from './middleware/request-id';
import { authenticateWalletServer } from './middleware/wallet-server-tenant';
import { buildOpenApiDocument } from './openapi';
import { issuerMetadataPath, issuerMetadataRoute } from './routes/issuer-metadata';
import { verificationCancelRoute } from './routes/verification-cancel';
import { verificationInitiateRoute } from './routes/verification-initiate';
import { verificationStatusRoute } from './routes/verification-status';
import { verificationSupplementRoute } from './routes/verification-supplement';

export interface ApiDeps {
  logger: Logger;
  tenants: TenantRepository;
  idempotency: IdempotencyRepository;
  sessions: VerificationSessionRepository;
  verificationData: VerificationDataRepository;
  catalogue: CredentialCatalogue;
  evaluators: EvaluatorRegistry;
  issuerKeys: IssuerKeys;
  workflows: VerificationWorkflows;
  bodyLimitBytes: number;
  initialDecisionWaitMs: number;
  idleExpiryMs: number;
  limits: VerificationWorkflowInput['limits'];
  crashAfter: CrashAfter;
}

/**
 * The Issuer API. Every protocol endpoint runs the same ordered chain before its own steps:
 * Api-Version → x-request-id → JSON body → idempotency; the Wallet Server (tenant) is
 * established for every request first, from the mTLS client certificate.
 */
export function createApp(deps: ApiDeps): Koa<ApiState> {
  const app = new Koa<ApiState>();
  app.proxy = false;
  const router = new Router<ApiState>();

  const protocolChain: ApiMiddleware[] = [
    requireApiVersion,
    requireRequestId,
    parseJsonBody(deps.bodyLimitBytes),
    idempotent(deps.idempotency, { concurrentWaitMs: deps.initialDecisionWaitMs + 3000, logger: deps.logger, crashAfter: deps.crashAfter }),
  ];
  const post = (path: string, steps: ApiMiddleware[]) => router.post(path, ...(protocolChain as RouterMiddleware<ApiState>[]), ...(steps as RouterMiddleware<ApiState>[]));

  post('/verification/initiate', verificationInitiateRoute(deps));
  post('/verification/supplement', verificationSupplementRoute(deps));
  post('/verification/status', verificationStatusRoute(deps));
  post('/verification/cancel', verificationCancelRoute(deps));

  router.get(
    issuerMetadataPath,
    issuerMetadataRoute({
      ...deps,
      limits: { ...deps.limits, initialDecisionWaitMs: deps.initialDecisionWaitMs, bodyLimitBytes: deps.bodyLimitBytes },
    }) as RouterMiddleware<ApiState>,
  );
  const openApi = JSON.stringify(buildOpenApiDocument());
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = openApi;
  });

  app.use(renderProblems(deps.logger) as Koa.Middleware<ApiState>);
  app.use(authenticateWalletServer(deps.tenants) as Koa.Middleware<ApiState>);
  app.use(router.routes());
  app.use(
    router.allowedMethods({
      throw: true,
      methodNotAllowed: () => problems.methodNotAllowed(['POST']),
      notImplemented: () => problems.methodNotAllowed(['POST']),
    }),
  );
  return app;
}
