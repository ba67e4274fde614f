import Router, { type RouterMiddleware } from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { VerificationWorkflows } from '../clients/temporal/verification-workflows';
import type { IssuerKeys } from '../crypto/issuer-keys';
import type { CredentialCatalogue } from '../domain/credential-configurations';
import { problems } from '../domain/problems';
import { healthEndpoints, type ReadinessProbes } from '../observability/health';
import type { VerificationTypeDescription } from '../domain/verification-types/evaluator';
import type { IdempotencyRepository } from '../store/idempotency';
import type { OpenVerificationRepository } from '../store/open-verifications';
import type { TenantQuotas } from '../domain/quotas';
import type { TenantRepository } from '../store/tenants';
import type { VerificationDataRepository } from '../store/verification-data';
import type { VerificationSessionRepository } from '../store/verification-sessions';
import type { VerificationWorkflowInput } from '../workflows/verification/messages';
import type { ContentDelivery } from './content/content-delivery';
import type { ApiMiddleware, ApiState } from './context';
import type { CredentialIssuer, GetDeps } from './routes/credential-get';
import type { CredentialLifecycleManager } from './routes/credential-manage';
import type { WalletEventReceiver } from './routes/event-notify';
import type { CredentialLifecycleStarter } from './routes/credential-provision';
import type { SessionHolderRepository } from '../store/session-holders';
import type { CredentialInstanceRepository } from '../store/credential-instances';
import type { CredentialMetadataVersionRepository } from '../store/credential-metadata-versions';
import type { CredentialNonceStore } from '../store/credential-nonces';
import type { CredentialRequestStore } from '../store/credential-requests';
import type { CredentialDeliveryStore } from '../store/credential-deliveries';
import type { CrashAfter } from './fault-injection';
import { serverTiming, timedStep } from './server-timing';
import { requireApiVersion } from './middleware/api-version';
import { idempotent, idempotentRead } from './middleware/idempotency';
import { parseJsonBody } from './middleware/json-body';
import { renderProblems } from './middleware/problem-details';
import { limitRequestRate } from './middleware/rate-limit';
import { requireRequestId } from './middleware/request-id';
import { validateBody } from './middleware/validate-body';
import { authenticateWalletServer } from './middleware/wallet-server-tenant';
import { documentRoutes, protocolRoutes, type DocumentDeps } from './routes';
import type { DocumentRoute, ProtocolRoute } from './routes/route';
import { traceRequests } from '../observability/tracing';

export interface ApiDeps {
  logger: Logger;
  /** What /readyz checks (observability/health.ts). */
  probes: ReadinessProbes;
  tenants: TenantRepository;
  /** How long a certificate's tenant lookup is reused (profile §1: the revocation delay). */
  tenantCacheMs: number;
  idempotency: IdempotencyRepository;
  sessions: VerificationSessionRepository;
  verificationData: VerificationDataRepository;
  catalogue: CredentialCatalogue;
  /** The enabled verification types, for the metadata; the worker evaluates them. */
  verificationTypes: readonly VerificationTypeDescription[];
  issuerKeys: IssuerKeys;
  workflows: VerificationWorkflows;
  bodyLimitBytes: number;
  /** How far a Client Encrypted Payload's iat may lie from now (profile §11). */
  clientPayloadIatWindowMs: number;
  initialDecisionWaitMs: number;
  idleExpiryMs: number;
  limits: VerificationWorkflowInput['limits'];
  crashAfter: CrashAfter;
  /** Send Server-Timing headers (api/server-timing.ts). */
  serverTiming: boolean;
  /** Quota defaults for tenants whose registration set none (profile §Quotas). */
  quotas: TenantQuotas & { openVerificationsRetryAfterSeconds: number };
  openVerifications: OpenVerificationRepository;
  /** Credentials in band or by reference, and their download (profile §25 Content Reference). */
  contentDelivery: ContentDelivery;
  /** The Credential Issuer Identifier: `credential_issuer` of the metadata, `iss` of credentials, `aud` of key proofs. */
  credentialIssuer: string;
  // The credential endpoints (S2S §Credential Endpoints, profile §25).
  sessionHolders: SessionHolderRepository;
  credentialInstances: CredentialInstanceRepository;
  credentialMetadataVersions: CredentialMetadataVersionRepository;
  credentialNonces: CredentialNonceStore;
  credentialRequests: CredentialRequestStore;
  credentialDeliveries: CredentialDeliveryStore;
  /** The instances' CredentialLifecycleWorkflows: started at provision, issuing at get. */
  lifecycle: CredentialLifecycleStarter;
  credentialIssuance: CredentialIssuer;
  /** Profile §29: lifecycle requests on the instances' workflows. */
  credentialLifecycle: CredentialLifecycleManager;
  /** Profile §29: the Wallet Server's events for its instances. */
  walletEvents: WalletEventReceiver;
  credentialRequestChecks: GetDeps['credentialRequestChecks'];
  pendingRetryAfterSeconds: number;
}

/** The route tables the API serves (api/routes/index.ts); tests may pass larger ones. */
export interface RouteTables {
  protocol: readonly ProtocolRoute<ApiDeps>[];
  documents: readonly DocumentRoute<DocumentDeps>[];
}

const asRouterMiddleware = (steps: ApiMiddleware[]) => steps as RouterMiddleware<ApiState>[];

/**
 * The router, built from the route tables. Every protocol endpoint runs the same ordered chain
 * before its own steps: Api-Version → x-request-id → JSON body → idempotency → body validation
 * against the route's requestSchema.
 */
export function buildApiRouter(deps: ApiDeps, tables: RouteTables = { protocol: protocolRoutes, documents: documentRoutes }): Router<ApiState> {
  const router = new Router<ApiState>();
  const protocolChain = (effects: ProtocolRoute<ApiDeps>['effects']): ApiMiddleware[] => [
    requireApiVersion,
    requireRequestId,
    timedStep('body', parseJsonBody(deps.bodyLimitBytes)),
    timedStep(
      'idempotency',
      effects === 'read'
        ? idempotentRead(deps.idempotency)
        : idempotent(deps.idempotency, { concurrentWaitMs: deps.initialDecisionWaitMs + 3000, logger: deps.logger, crashAfter: deps.crashAfter }),
    ),
  ];
  for (const route of tables.protocol) {
    router.register(
      route.path,
      [route.method],
      asRouterMiddleware([...protocolChain(route.effects), timedStep('validate', validateBody(route.requestSchema)), ...route.steps(deps)]),
    );
  }
  const documentDeps: DocumentDeps = { ...deps, protocolRoutes: tables.protocol, documentRoutes: tables.documents };
  for (const route of tables.documents) router.register(route.path, [route.method], asRouterMiddleware(route.steps(documentDeps)));
  return router;
}

/**
 * The Issuer API. The Wallet Server (tenant) is established for every request first, from the
 * mTLS client certificate, and its rate limit applied (S2S §Rate Limiting) before anything reads
 * the body; then the router (buildApiRouter) runs the endpoint.
 */
export function createApp(deps: ApiDeps): Koa<ApiState> {
  const app = new Koa<ApiState>();
  app.proxy = false;
  const router = buildApiRouter(deps);

  app.use(traceRequests('api') as Koa.Middleware<ApiState>);
  app.use(serverTiming(deps.serverTiming) as Koa.Middleware<ApiState>);
  app.use(renderProblems(deps.logger) as Koa.Middleware<ApiState>);
  // Before the tenant: a load balancer's probe presents a certificate of the client CA, not a tenant's.
  app.use(healthEndpoints(deps.probes) as Koa.Middleware<ApiState>);
  app.use(timedStep('tenant', authenticateWalletServer(deps.tenants, { cacheMs: deps.tenantCacheMs })) as Koa.Middleware<ApiState>);
  app.use(limitRequestRate({ defaults: deps.quotas }) as Koa.Middleware<ApiState>);
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
