import type { Middleware } from 'koa';
import { problems } from '../../domain/problems';
import type { AdminCredentialStore, AdminIdentity } from './admin-credentials';
import type { AuthenticationThrottle } from './authentication-throttle';

export interface AdminAuthenticationState {
  /** The credential the request authenticated with (its identity, never its token). */
  admin: AdminIdentity;
  /** The same, for the request log line (api/middleware/problem-details.ts). */
  actor?: { id: string; role: string };
}

/**
 * Bearer-token authentication of every admin request (not the Wallet Servers' mTLS: a separate
 * listener). A throttled address is answered 429 before its token is looked at; a missing,
 * short, unknown or expired token is a 401 and counts as a failure of that address.
 */
export function authenticateAdmin(credentials: AdminCredentialStore, throttle: AuthenticationThrottle): Middleware<AdminAuthenticationState> {
  return async (ctx, next) => {
    const address = ctx.ip;
    const retryAfter = throttle.retryAfterSeconds(address);
    if (retryAfter !== undefined) throw problems.adminAuthenticationThrottled(retryAfter);
    const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(ctx.get('Authorization'));
    const identity = match?.[1] ? await credentials.authenticate(match[1]) : undefined;
    if (!identity) {
      throttle.recordFailure(address);
      throw problems.unauthenticatedAdmin();
    }
    ctx.state.admin = identity;
    ctx.state.actor = { id: identity.id, role: identity.role };
    await next();
  };
}
