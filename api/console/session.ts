import { timingSafeEqual } from 'node:crypto';
import type { Middleware, ParameterizedContext } from 'koa';
import { problems } from '../../domain/problems';
import type { ConsoleSession, ConsoleSessionStore } from '../../store/console-sessions';
import type { AdminCredentialStore } from '../admin/admin-credentials';
import type { Viewer } from './html';

/**
 * The console's session cookie. `__Host-`: only over HTTPS, for this host and path /, never set
 * by a sibling domain; HttpOnly (no script reads it) and SameSite=Strict (no other site's page
 * sends it along).
 */
export const sessionCookie = '__Host-s2s-console';

export interface ConsoleState {
  viewer: Viewer;
  session: ConsoleSession;
  /** For the request log line (api/middleware/problem-details.ts): who, never the token. */
  actor?: { id: string; role: string };
  form?: URLSearchParams;
}
export type ConsoleContext = ParameterizedContext<ConsoleState> & { params: Record<string, string | undefined> };
export type ConsoleMiddleware = (ctx: ConsoleContext, next: () => Promise<void>) => Promise<void>;

/**
 * On every console response: a content security policy that allows nothing but this origin's
 * stylesheet, forms posted to it and inline images (evidence carried as data: URIs), no framing;
 * nothing cached, no referrer sent.
 */
export const securityHeaders: ConsoleMiddleware = async (ctx, next) => {
  ctx.set({
    'Content-Security-Policy': "default-src 'none'; style-src 'self'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
  await next();
};

/**
 * Forms are posted from the console's own pages only: a POST whose browser says it comes from
 * another site (Sec-Fetch-Site, Origin) is refused before anything else, the sign-in form too (no
 * other site can sign a browser into a session of its choosing). The CSRF token then ties a
 * signed-in form to its session.
 */
export const sameOriginForms: ConsoleMiddleware = async (ctx, next) => {
  if (ctx.method === 'POST') {
    // Every current browser says where a request comes from in Sec-Fetch-Site; Origin is the
    // fallback (it is "null" under this console's no-referrer policy, so only a named origin counts).
    const site = ctx.get('Sec-Fetch-Site');
    const origin = ctx.get('Origin');
    const crossSite = site ? site !== 'same-origin' : Boolean(origin) && origin !== 'null' && origin !== `${ctx.protocol}://${ctx.host}`;
    if (crossSite) throw problems.consoleFormExpired();
  }
  await next();
};

/** Form fields are identifiers, codes and a message for the holder. */
export const formLimitBytes = 16 * 1024;

/** Parses an application/x-www-form-urlencoded body, bounded before it is read. */
export async function readForm(ctx: ConsoleContext): Promise<URLSearchParams> {
  if (ctx.form) return ctx.form;
  if (!ctx.is('application/x-www-form-urlencoded')) throw problems.unsupportedMediaType(ctx.get('Content-Type') || undefined);
  const declared = Number(ctx.get('Content-Length'));
  if (Number.isFinite(declared) && declared > formLimitBytes) throw problems.payloadTooLarge(formLimitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > formLimitBytes) throw problems.payloadTooLarge(formLimitBytes);
    chunks.push(chunk);
  }
  ctx.form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  return ctx.form;
}

/** Thrown to send the browser to the sign-in page (no session, or it ended). */
export class SignInRequired extends Error {}

/**
 * The signed-in viewer, from the cookie's session, while the admin credential it was opened with
 * is still valid (revoking or rotating it out ends the session at once). POSTs must carry the
 * session's CSRF token.
 */
export function signedIn(deps: { consoleSessions: ConsoleSessionStore; credentials: AdminCredentialStore }): ConsoleMiddleware {
  return async (ctx, next) => {
    const secret = ctx.cookies.get(sessionCookie);
    const session = secret ? await deps.consoleSessions.find(secret) : undefined;
    const identity = session ? await deps.credentials.identityOfHash(session.credentialHash) : undefined;
    if (!session || !identity || identity.id !== session.adminId || identity.role !== session.role) throw new SignInRequired();
    ctx.state.session = session;
    ctx.state.viewer = { adminId: session.adminId, role: session.role, csrfToken: session.csrfToken };
    ctx.state.actor = { id: session.adminId, role: session.role };
    if (ctx.method === 'POST') {
      const presented = Buffer.from((await readForm(ctx)).get('csrf') ?? '');
      const expected = Buffer.from(session.csrfToken);
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw problems.consoleFormExpired();
    }
    await next();
  };
}

/** Pages of one role: the others get 403. */
export function requireRole(role: string): ConsoleMiddleware {
  return async (ctx, next) => {
    if (ctx.state.viewer.role !== role) throw problems.adminRoleForbidden(ctx.state.viewer.role, role);
    await next();
  };
}

/** Answers a form with a redirect (303: the browser follows with GET), so reloading does not post again. */
export function seeOther(ctx: ConsoleContext, location: string): void {
  ctx.status = 303;
  ctx.redirect(location);
}

export type { Middleware };
