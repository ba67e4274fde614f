import Router, { type RouterMiddleware } from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { CredentialLifecycleWorkflows } from '../../clients/temporal/credential-lifecycle-workflows';
import type { CredentialLifecycleBatches } from '../../clients/temporal/credential-lifecycle-batches';
import type { TenantRepository } from '../../store/tenants';
import type { ConsoleSessionStore } from '../../store/console-sessions';
import type { CredentialInstanceRepository } from '../../store/credential-instances';
import type { VerificationWorkflows } from '../../clients/temporal/verification-workflows';
import type { CredentialCatalogue } from '../../domain/credential-configurations';
import { problems } from '../../domain/problems';
import { healthEndpoints, type ReadinessProbes } from '../../observability/health';
import type { CredentialOfferRepository } from '../../store/credential-offers';
import type { IssuerAuthenticationRepository } from '../../store/issuer-authentications';
import type { OneTimeCodeRepository } from '../../store/one-time-codes';
import type { ReviewCaseRepository } from '../../store/review-cases';
import type { VerificationDataRepository } from '../../store/verification-data';
import type { VerificationSessionRepository } from '../../store/verification-sessions';
import type { AdminAuditRepository } from '../../store/admin-audit';
import type { ProviderRequestRepository } from '../../store/provider-requests';
import { renderProblems, toProblem } from '../middleware/problem-details';
import { authenticateAdmin } from './admin-authentication';
import type { AdminCredentialStore, AdminIdentity } from './admin-credentials';
import type { AuthenticationThrottle } from './authentication-throttle';
import { adminRoutes } from './index';
import { consolePages } from '../console';
import type { AdminAuditTarget, AdminCaller, AdminMiddleware, AdminRoute, AdminState } from './route';
import { traceRequests } from '../../observability/tracing';

export interface AdminDeps {
  logger: Logger;
  /** What /readyz checks (observability/health.ts). */
  probes: ReadinessProbes;
  reviewCases: ReviewCaseRepository;
  verificationData: VerificationDataRepository;
  workflows: VerificationWorkflows;
  /** Admin credentials by role, re-read when the file changes (api/admin/admin-credentials.ts). */
  credentials: AdminCredentialStore;
  authenticationThrottle: AuthenticationThrottle;
  adminAudit: AdminAuditRepository;
  providerRequests: ProviderRequestRepository;
  claimMs: number;
  offers: CredentialOfferRepository;
  oneTimeCodes: OneTimeCodeRepository;
  authentications: IssuerAuthenticationRepository;
  sessions: VerificationSessionRepository;
  catalogue: CredentialCatalogue;
  /** credential_issuer in the offers (OpenID4VCI §4.1.1). */
  issuerUrl: string;
  credentialInstances: CredentialInstanceRepository;
  /** Wakes the instances' CredentialLifecycleWorkflows when a holder's records changed (profile §25). */
  lifecycle: Pick<CredentialLifecycleWorkflows, 'holderDataChanged' | 'manage' | 'reconcile'>;
  /** Mass lifecycle changes of a Wallet Server's instances (profile §29). */
  lifecycleBatches: CredentialLifecycleBatches;
  tenants: Pick<TenantRepository, 'findById'>;
  /** The reviewer console's sessions (api/console/). */
  consoleSessions: ConsoleSessionStore;
}

const asRouterMiddleware = (steps: AdminMiddleware[]) => steps as unknown as RouterMiddleware<AdminState>[];

/** The one check of who may call a route: the credential's role is the route's caller (profile §16). */
export function requireCaller(caller: AdminCaller): AdminMiddleware {
  return async (ctx, next) => {
    if (ctx.state.admin?.role !== caller) throw problems.adminRoleForbidden(ctx.state.admin?.role ?? 'none', caller);
    await next();
  };
}

/**
 * Runs an admin write (the admin API's or the reviewer console's) and records it in the audit
 * trail with who made it, accepted or refused, and the identifiers `target()` gives once it ran.
 * A write whose record cannot be stored is answered with an error (the effect may have happened:
 * the caller retries, and every admin write is safe to repeat or refused as already done); a
 * refused write's own error wins over a failed record, which is logged.
 */
export async function auditedWrite<T>(
  options: {
    audit: AdminAuditRepository;
    logger: Logger;
    actor: Pick<AdminIdentity, 'id' | 'provider'> & { role: string };
    action: string;
    target: () => AdminAuditTarget;
    status: () => number;
  },
  write: () => Promise<T>,
): Promise<T> {
  const record = (status: number) =>
    options.audit.record({
      actorId: options.actor.id,
      actorRole: options.actor.role,
      ...(options.actor.provider ? { actorProvider: options.actor.provider } : {}),
      action: options.action,
      status,
      target: options.target(),
    });
  let result: T;
  try {
    result = await write();
  } catch (failure) {
    await record(toProblem(failure).status).catch((error: unknown) =>
      options.logger.error({ err: error as Error, action: options.action }, 'admin audit record failed'),
    );
    throw failure;
  }
  await record(options.status());
  return result;
}

/** Audits every write of an admin route, with the identifiers the route put in `ctx.state.auditTarget`. */
export function auditAdminWrite(audit: AdminAuditRepository, route: Pick<AdminRoute<unknown>, 'method' | 'path'>, logger: Logger): AdminMiddleware {
  return async (ctx, next) => {
    await auditedWrite(
      { audit, logger, actor: ctx.state.admin, action: `${route.method} ${route.path}`, target: () => ctx.state.auditTarget ?? {}, status: () => ctx.status },
      next,
    );
  };
}

/**
 * The admin router under /admin, built from the admin table. Every request is authenticated
 * before the router (admin-authentication.ts); here each route first checks that the
 * credential's role is the route's caller, and every write is audited.
 */
export function buildAdminRouter(deps: AdminDeps, routes: readonly AdminRoute<AdminDeps>[] = adminRoutes): Router<AdminState> {
  const router = new Router<AdminState>({ prefix: '/admin' });
  for (const route of routes) {
    const audited = route.method === 'POST' ? [auditAdminWrite(deps.adminAudit, route, deps.logger)] : [];
    router.register(route.path, [route.method], asRouterMiddleware([requireCaller(route.caller), ...audited, ...route.steps(deps)]));
  }
  return router;
}

/**
 * The admin API (profile §16), on its own listener with bearer tokens, one role each: the
 * reviewers' queue, claims, audited evidence views and decisions (verdict signals), and the
 * issuer-side calls of the back office, the sign-in surface and verification providers.
 */
export function createAdminApp(deps: AdminDeps): Koa<AdminState> {
  const app = new Koa<AdminState>();
  const router = buildAdminRouter(deps);
  app.use(traceRequests('admin') as unknown as Koa.Middleware<AdminState>);
  app.use(renderProblems(deps.logger, 'admin') as unknown as Koa.Middleware<AdminState>);
  // No admin credential for these two: they say only whether the process and its dependencies answer.
  app.use(healthEndpoints(deps.probes) as unknown as Koa.Middleware<AdminState>);
  // The reviewer console's pages (session cookie, not the bearer token): before the API's authentication.
  app.use(consolePages(deps) as unknown as Koa.Middleware<AdminState>);
  app.use(authenticateAdmin(deps.credentials, deps.authenticationThrottle) as unknown as Koa.Middleware<AdminState>);
  app.use(router.routes());
  app.use(
    router.allowedMethods({
      throw: true,
      methodNotAllowed: () => problems.methodNotAllowed(['GET', 'POST']),
      notImplemented: () => problems.methodNotAllowed(['GET', 'POST']),
    }),
  );
  return app;
}
