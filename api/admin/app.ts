import Router, { type RouterMiddleware } from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { VerificationWorkflows } from '../../clients/temporal/verification-workflows';
import type { CredentialCatalogue } from '../../domain/credential-configurations';
import { problems } from '../../domain/problems';
import type { CredentialOfferRepository } from '../../store/credential-offers';
import type { IssuerAuthenticationRepository } from '../../store/issuer-authentications';
import type { OneTimeCodeRepository } from '../../store/one-time-codes';
import type { ReviewCaseRepository } from '../../store/review-cases';
import type { VerificationDataRepository } from '../../store/verification-data';
import type { VerificationSessionRepository } from '../../store/verification-sessions';
import { renderProblems } from '../middleware/problem-details';
import { adminRoutes } from './index';
import { authenticateReviewer, type ReviewerTokens } from './reviewer-auth';
import type { AdminMiddleware, AdminRoute, AdminState } from './route';

export interface AdminDeps {
  logger: Logger;
  reviewCases: ReviewCaseRepository;
  verificationData: VerificationDataRepository;
  workflows: VerificationWorkflows;
  reviewerTokens: ReviewerTokens;
  claimMs: number;
  offers: CredentialOfferRepository;
  oneTimeCodes: OneTimeCodeRepository;
  authentications: IssuerAuthenticationRepository;
  sessions: VerificationSessionRepository;
  catalogue: CredentialCatalogue;
  /** credential_issuer in the offers (OpenID4VCI §4.1.1). */
  issuerUrl: string;
}

const asRouterMiddleware = (steps: AdminMiddleware[]) => steps as unknown as RouterMiddleware<AdminState>[];

/**
 * The admin router under /admin, built from the admin table. Every caller is authenticated
 * the same way today (bearer tokens of reviewer-auth.ts, before the router); each route's
 * `caller` is where a per-caller check will go.
 */
export function buildAdminRouter(deps: AdminDeps, routes: readonly AdminRoute<AdminDeps>[] = adminRoutes): Router<AdminState> {
  const router = new Router<AdminState>({ prefix: '/admin' });
  for (const route of routes) router.register(route.path, [route.method], asRouterMiddleware(route.steps(deps)));
  return router;
}

/**
 * The admin API (profile §16), on its own listener with bearer-token authentication: the
 * reviewers' queue, claims, audited evidence views and decisions (verdict signals), and the
 * issuer-side calls of the back office, the sign-in surface and verification providers.
 */
export function createAdminApp(deps: AdminDeps): Koa<AdminState> {
  const app = new Koa<AdminState>();
  const router = buildAdminRouter(deps);
  app.use(renderProblems(deps.logger) as unknown as Koa.Middleware<AdminState>);
  app.use(authenticateReviewer(deps.reviewerTokens) as unknown as Koa.Middleware<AdminState>);
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
