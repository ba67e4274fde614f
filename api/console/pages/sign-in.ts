import { problems } from '../../../domain/problems';
import { hashAdminToken } from '../../admin/admin-credentials';
import { AdminCaller } from '../../admin/route';
import { html, page } from '../html';
import type { ConsoleDeps } from '../deps';
import { readForm, seeOther, sessionCookie, type ConsoleContext } from '../session';

/** The roles that have console pages: reviewers (the queue) and the back office (holders' credentials). */
export const consoleRoles: readonly string[] = [AdminCaller.reviewer, AdminCaller.backOffice];

/** Where a role starts. */
export const homeOf = (role: string) => (role === AdminCaller.backOffice ? '/console/holders' : '/console/queue');

export function signInPage(problem?: string): string {
  return page({
    title: 'Sign in',
    ...(problem ? { problem } : {}),
    body: html`<form method="post" action="/console/login" class="stack">
      <p>
        Sign in with your admin credential (the token your administrator issued with <code>npm run admin-credential</code>). It is sent once; the console then
        keeps a session that ends after inactivity.
      </p>
      <label for="token">Admin token</label>
      <input id="token" name="token" type="password" autocomplete="off" required minlength="43" maxlength="512" spellcheck="false" />
      <button type="submit">Sign in</button>
    </form>`,
  });
}

/** GET /console/login */
export async function showSignIn(ctx: ConsoleContext): Promise<void> {
  ctx.type = 'html';
  ctx.body = signInPage();
}

/**
 * POST /console/login: the admin token, checked like a bearer token (throttled per address, the
 * same failures counted); opens a session for a reviewer or back-office credential.
 */
export function signIn(deps: Pick<ConsoleDeps, 'credentials' | 'authenticationThrottle' | 'consoleSessions'>) {
  return async (ctx: ConsoleContext): Promise<void> => {
    const retryAfter = deps.authenticationThrottle.retryAfterSeconds(ctx.ip);
    if (retryAfter !== undefined) throw problems.adminAuthenticationThrottled(retryAfter);
    const token = (await readForm(ctx)).get('token') ?? '';
    const identity = /^[A-Za-z0-9._~+/=-]{1,512}$/.test(token) ? await deps.credentials.authenticate(token) : undefined;
    if (!identity) {
      deps.authenticationThrottle.recordFailure(ctx.ip);
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = signInPage('That token is not a valid admin credential.');
      return;
    }
    if (!consoleRoles.includes(identity.role)) {
      ctx.status = 403;
      ctx.type = 'html';
      ctx.body = signInPage(`The console has no pages for the ${identity.role} role.`);
      return;
    }
    const { secret, session } = await deps.consoleSessions.open(identity, hashAdminToken(token));
    ctx.cookies.set(sessionCookie, secret, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', expires: session.endsAt, overwrite: true });
    seeOther(ctx, homeOf(identity.role));
  };
}

/** POST /console/logout */
export function signOut(deps: Pick<ConsoleDeps, 'consoleSessions'>) {
  return async (ctx: ConsoleContext): Promise<void> => {
    const secret = ctx.cookies.get(sessionCookie);
    if (secret) await deps.consoleSessions.close(secret);
    ctx.cookies.set(sessionCookie, '', { httpOnly: true, secure: true, sameSite: 'strict', path: '/', expires: new Date(0), overwrite: true });
    seeOther(ctx, '/console/login');
  };
}
