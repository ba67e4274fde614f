import Router, { type RouterMiddleware } from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { VerificationWorkflows } from '../../clients/verification-workflows';
import { problems } from '../../domain/problems';
import { CompleteIssuerAuthenticationRequest, CreateCredentialOfferRequest, IssueOneTimeCodeRequest } from '../../domain/schemas/verification';
import { ProviderVerdictRequest, requireCompleteVerdict, ReviewDecisionRequest } from '../../domain/verdicts';
import { isTerminal } from '../../domain/verification-state';
import { currentDecision, type VerificationSessionRepository } from '../../store/verification-sessions';
import type { IssuerAuthenticationRepository } from '../../store/issuer-authentications';
import type { OneTimeCodeRepository } from '../../store/one-time-codes';
import { unknownConfigurationIds, type CredentialCatalogue } from '../../domain/credential-configurations';
import type { CredentialOfferRepository } from '../../store/credential-offers';
import { ReviewClaimError, type ReviewCase, type ReviewCaseRepository } from '../../store/review-cases';
import type { VerificationDataRepository } from '../../store/verification-data';
import type { ApiContext, ApiMiddleware, ApiState } from '../context';
import { parseJsonBody } from '../middleware/json-body';
import { renderProblems } from '../middleware/problem-details';
import { validateBody, validatedBody } from '../middleware/validate-body';
import { authenticateReviewer, type ReviewerState, type ReviewerTokens } from './reviewer-auth';

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

type AdminState = ApiState & ReviewerState;
type AdminContext = ApiContext & { state: AdminState; params: Record<string, string> };

/** What a reviewer sees in the queue: no evidence, only what is needed to pick a case. */
function summary(c: ReviewCase) {
  return {
    caseId: c._id,
    tenantId: c.tenantId,
    sessionId: c.sessionId,
    verificationId: c.verificationId,
    credentialConfigurationIds: c.credentialConfigurationIds,
    reasons: c.reasons,
    state: c.state,
    createdAt: c.createdAt.toISOString(),
    ...(c.claimedBy ? { claimedBy: c.claimedBy, claimExpiresAt: c.claimExpiresAt?.toISOString() } : {}),
    ...(c.decision ? { decision: c.decision } : {}),
  };
}

function claimProblem(error: unknown): never {
  if (error instanceof ReviewClaimError) throw problems.reviewCaseUnavailable(error.message);
  throw error;
}

/**
 * The admin API for reviewers (profile §Manual review), on its own listener with bearer-token
 * authentication: list the queue (oldest first), claim a case (one reviewer at a time, claims
 * expire), view its evidence (decrypted only here, every view audited), and decide — each
 * decision is a verdict signal to the session's VerificationWorkflow.
 */
export function createAdminApp(deps: AdminDeps): Koa<AdminState> {
  const app = new Koa<AdminState>();
  const router = new Router<AdminState>({ prefix: '/admin' });
  const route = (steps: ApiMiddleware[]) => steps as unknown as RouterMiddleware<AdminState>[];

  router.get('/review-cases', async (ctx) => {
    const state = ctx.query.state === 'decided' || ctx.query.state === 'closed' ? ctx.query.state : 'open';
    const tenantId = typeof ctx.query.tenantId === 'string' ? ctx.query.tenantId : undefined;
    const cases = await deps.reviewCases.list({ state, ...(tenantId ? { tenantId } : {}), ...(state === 'open' ? { claimableBy: ctx.state.reviewerId } : {}) });
    ctx.body = { cases: cases.map(summary) };
  });

  router.post('/review-cases/:caseId/claim', async (ctx) => {
    const found = await deps.reviewCases.get(ctx.params.caseId ?? '');
    if (!found) throw problems.reviewCaseNotFound();
    ctx.body = summary(await deps.reviewCases.claim(found._id, ctx.state.reviewerId, deps.claimMs).catch(claimProblem));
  });

  router.get('/review-cases/:caseId/evidence', async (ctx) => {
    const claimed = await deps.reviewCases.claimedBy(ctx.params.caseId ?? '', ctx.state.reviewerId).catch(claimProblem);
    const evidence = await deps.verificationData.load(claimed.tenantId, claimed.evidenceRef);
    await deps.reviewCases.audit(claimed._id, ctx.state.reviewerId, 'view_evidence');
    deps.logger.info({ caseId: claimed._id, reviewerId: ctx.state.reviewerId }, 'review evidence viewed');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { case: summary(claimed), evidence };
  });

  const decide: ApiMiddleware = async (ctx) => {
    const adminCtx = ctx as AdminContext;
    const decision = validatedBody(ctx, ReviewDecisionRequest);
    requireCompleteVerdict(decision);
    const reviewerId = adminCtx.state.reviewerId;
    const claimed = await deps.reviewCases.claimedBy(adminCtx.params.caseId ?? '', reviewerId).catch(claimProblem);
    await deps.reviewCases
      .recordDecision(claimed._id, reviewerId, { outcome: decision.outcome, ...(decision.reasonCode ? { reasonCode: decision.reasonCode } : {}), decidedBy: reviewerId })
      .catch(claimProblem);
    try {
      await deps.workflows.sendVerdict(claimed, { ...decision, source: 'reviewer', decidedBy: reviewerId });
    } catch (error) {
      await deps.reviewCases.withdrawDecision(claimed._id);
      throw problems.serviceUnavailable('The decision could not be delivered; decide again', error);
    }
    ctx.body = { caseId: claimed._id, state: 'decided', outcome: decision.outcome };
  };
  router.post('/review-cases/:caseId/decision', ...route([parseJsonBody(64 * 1024), validateBody(ReviewDecisionRequest), decide]));

  // The issuer's back office: a Credential Offer with a pre-authorized code (engagement flows 3, 4).
  const createOffer: ApiMiddleware = async (ctx) => {
    const request = validatedBody(ctx, CreateCredentialOfferRequest);
    const unknown = unknownConfigurationIds(deps.catalogue, request.credentialConfigurationIds);
    if (unknown.length > 0) throw problems.unknownCredentialConfiguration(unknown);
    const { code, offer } = await deps.offers.create({
      credentialConfigurationIds: request.credentialConfigurationIds,
      holderAccountId: request.holderAccountId,
      holderAuthenticated: request.holderAuthenticated,
      ttlMs: (request.expiresInSeconds ?? 600) * 1000,
    });
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      credential_offer: {
        credential_issuer: deps.issuerUrl,
        credential_configuration_ids: offer.credentialConfigurationIds,
        grants: { 'urn:ietf:params:oauth:grant-type:pre-authorized_code': { 'pre-authorized_code': code } },
      },
      expiresAt: offer.expiresAt.toISOString(),
    };
  };
  router.post('/credential-offers', ...route([parseJsonBody(16 * 1024), validateBody(CreateCredentialOfferRequest), createOffer]));

  // The back office delivers the code through the issuer's own channel (SMS, e-mail, letter).
  const issueOneTimeCode: ApiMiddleware = async (ctx) => {
    const request = validatedBody(ctx, IssueOneTimeCodeRequest);
    const unknown = unknownConfigurationIds(deps.catalogue, request.credentialConfigurationIds);
    if (unknown.length > 0) throw problems.unknownCredentialConfiguration(unknown);
    const { code, expiresAt } = await deps.oneTimeCodes.issue(request.holderAccountId, request.credentialConfigurationIds, (request.expiresInSeconds ?? 600) * 1000);
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { holderAccountId: request.holderAccountId, code, expiresAt: expiresAt.toISOString() };
  };
  router.post('/one-time-codes', ...route([parseJsonBody(16 * 1024), validateBody(IssueOneTimeCodeRequest), issueOneTimeCode]));

  // The issuer's website or app, after the holder logged in there (issuer-surface authentication).
  const completeAuthentication: ApiMiddleware = async (ctx) => {
    const request = validatedBody(ctx, CompleteIssuerAuthenticationRequest);
    const result = await deps.authentications.complete(request.handle, request.holderAccountId);
    if ('refused' in result) throw problems.authenticationHandleUnavailable(result.refused);
    await deps.workflows.sendVerdict(result.ref, { outcome: 'APPROVED', source: 'provider', decidedBy: 'issuer-surface-authentication' });
    ctx.body = { sessionId: result.ref.sessionId, verificationId: result.ref.verificationId, authenticated: true };
  };
  router.post('/issuer-authentications', ...route([parseJsonBody(16 * 1024), validateBody(CompleteIssuerAuthenticationRequest), completeAuthentication]));

  // Asynchronous verification providers (document checks, registries) report their verdicts here.
  const providerVerdict: ApiMiddleware = async (ctx) => {
    const verdict = validatedBody(ctx, ProviderVerdictRequest);
    requireCompleteVerdict(verdict);
    const ref = { tenantId: verdict.tenantId, sessionId: verdict.sessionId, verificationId: verdict.verificationId };
    const session = await deps.sessions.find(ref, verdict.verificationId);
    if (!session) throw problems.sessionNotFound();
    if (isTerminal(currentDecision(session).status)) throw problems.verificationFinal(currentDecision(session).status);
    await deps.workflows.sendVerdict(ref, {
      outcome: verdict.outcome,
      ...(verdict.reasonCode ? { reasonCode: verdict.reasonCode } : {}),
      ...(verdict.message ? { message: verdict.message } : {}),
      ...(verdict.request ? { request: verdict.request } : {}),
      source: 'provider',
      decidedBy: verdict.provider,
    });
    ctx.status = 202;
    ctx.body = { ...ref, accepted: true };
  };
  router.post('/verdicts', ...route([parseJsonBody(16 * 1024), validateBody(ProviderVerdictRequest), providerVerdict]));

  router.get('/review-cases/:caseId/audit', async (ctx) => {
    ctx.body = { entries: (await deps.reviewCases.auditTrail(ctx.params.caseId ?? '')).map((e) => ({ reviewerId: e.reviewerId, action: e.action, at: e.at.toISOString() })) };
  });

  app.use(renderProblems(deps.logger) as unknown as Koa.Middleware<AdminState>);
  app.use(authenticateReviewer(deps.reviewerTokens) as unknown as Koa.Middleware<AdminState>);
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true, methodNotAllowed: () => problems.methodNotAllowed(['GET', 'POST']), notImplemented: () => problems.methodNotAllowed(['GET', 'POST']) }));
  return app;
}
