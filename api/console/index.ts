import Router, { type RouterMiddleware } from '@koa/router';
import type Koa from 'koa';
import { AdminCaller } from '../admin/route';
import { toProblem } from '../middleware/problem-details';
import { problems } from '../../domain/problems';
import { consoleStylesheet } from './console-css';
import { html, page } from './html';
import type { ConsoleDeps } from './deps';
import { holderCredentials, holdersSearch, manageFromConsole } from './pages/holders';
import { claimFromConsole, decideFromConsole, reviewCasePage } from './pages/review-case';
import { reviewQueue } from './pages/review-queue';
import { homeOf, showSignIn, signIn, signInPage, signOut } from './pages/sign-in';
import {
  requireRole,
  sameOriginForms,
  securityHeaders,
  seeOther,
  signedIn,
  SignInRequired,
  type ConsoleContext,
  type ConsoleMiddleware,
  type ConsoleState,
} from './session';

/**
 * An error on a console page: the sign-in page when the session is gone, otherwise a page that
 * says what went wrong (the Problem Details title and detail), with its status. Server errors
 * are logged by the admin listener's outer middleware (api/middleware/problem-details.ts).
 */
const renderErrors: ConsoleMiddleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (error instanceof SignInRequired) {
      if (ctx.method === 'GET') return seeOther(ctx, '/console/login');
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = signInPage('Your session has ended. Sign in again.');
      return;
    }
    const problem = toProblem(error);
    if (problem.status >= 500) throw error;
    ctx.status = problem.status;
    ctx.set(problem.headers);
    ctx.type = 'html';
    const viewer = ctx.state.viewer;
    ctx.body = page({
      title: problem.title,
      ...(viewer ? { viewer } : {}),
      problem: problem.message,
      body: html`<p><a href="${viewer ? homeOf(viewer.role) : '/console/login'}">Back</a></p>`,
    });
  }
};

const steps = (...middleware: ConsoleMiddleware[]) => middleware as unknown as RouterMiddleware<ConsoleState>[];

/**
 * The reviewer console (profile §16, Reviewer console): server-rendered pages on the admin
 * listener under /console, no client scripts. Reviewers work the review queue; the back office
 * sees a holder's credentials and suspends, resumes or revokes them. A session cookie (signed in
 * once with the admin token) stands in for the bearer token; every form carries a CSRF token.
 */
export function consolePages(deps: ConsoleDeps): Koa.Middleware {
  const router = new Router<ConsoleState>({ prefix: '/console' });
  const session = signedIn(deps);
  const reviewer = requireRole(AdminCaller.reviewer);
  const backOffice = requireRole(AdminCaller.backOffice);
  router.get('/console.css', async (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = consoleStylesheet;
  });
  router.get('/login', ...steps(showSignIn));
  router.post('/login', ...steps(signIn(deps)));
  router.post('/logout', ...steps(session, signOut(deps)));
  router.get('/', ...steps(session, async (ctx: ConsoleContext) => seeOther(ctx, homeOf(ctx.state.viewer.role))));
  router.get('/queue', ...steps(session, reviewer, reviewQueue(deps)));
  router.get('/cases/:caseId', ...steps(session, reviewer, reviewCasePage(deps)));
  router.post('/cases/:caseId/claim', ...steps(session, reviewer, claimFromConsole(deps)));
  router.post('/cases/:caseId/decision', ...steps(session, reviewer, decideFromConsole(deps)));
  router.get('/holders', ...steps(session, backOffice, holdersSearch()));
  router.post('/holders', ...steps(session, backOffice, holderCredentials(deps)));
  router.post('/credential-instances/:tenantId/:credentialInstanceId/lifecycle', ...steps(session, backOffice, manageFromConsole(deps)));
  const routes = router.routes();
  return async (ctx, next) => {
    if (ctx.path !== '/console' && !ctx.path.startsWith('/console/')) return next();
    const notFound = async () => {
      throw problems.notFound();
    };
    await (securityHeaders as unknown as Koa.Middleware)(ctx, () =>
      (renderErrors as unknown as Koa.Middleware)(ctx, () => (sameOriginForms as unknown as Koa.Middleware)(ctx, () => routes(ctx as never, notFound))),
    );
  };
}
