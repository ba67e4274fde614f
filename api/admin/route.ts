import type { ParameterizedContext } from 'koa';
import type { ApiState } from '../context';
import type { AdminAuthenticationState } from './admin-authentication';

/**
 * Who calls an admin route, and the role of the credentials it may be called with. Each caller
 * of the admin listener has its own folder of routes (api/admin/<caller>/) and its own
 * credentials (api/admin/admin-credentials.ts): the admin table names the caller of every route
 * and the router checks the credential's role against it, in one place (api/admin/app.ts).
 */
export const AdminCaller = {
  /** People deciding review cases (profile §Manual review). */
  reviewer: 'reviewer',
  /** The issuer's back office: Credential Offers and one-time codes (profile §17, §20). */
  backOffice: 'back-office',
  /** The issuer's website or app where the holder signs in (profile §21). */
  issuerSignIn: 'issuer-sign-in',
  /** Asynchronous verification providers reporting verdicts (profile §12). */
  provider: 'provider',
} as const;
export type AdminCaller = (typeof AdminCaller)[keyof typeof AdminCaller];

/**
 * What an admin write records beside who did it and what it called (store/admin-audit.ts):
 * identifiers and outcomes only, never codes, tokens or holder data. Set by the route.
 */
export type AdminAuditTarget = Record<string, string | number | boolean | string[]>;

export type AdminState = ApiState & AdminAuthenticationState & { auditTarget?: AdminAuditTarget };
export type AdminContext = ParameterizedContext<AdminState> & { request: { body?: unknown }; params: Record<string, string | undefined> };
export type AdminMiddleware = (ctx: AdminContext, next: () => Promise<void>) => Promise<void>;

/** One admin endpoint, in the same shape as the Issuer Endpoints: read `steps` and you know it. */
export interface AdminRoute<Deps> {
  method: 'GET' | 'POST';
  /** Below /admin. */
  path: string;
  caller: AdminCaller;
  steps: (deps: Deps) => AdminMiddleware[];
}

/** Request bodies on the admin API are small: identifiers, codes and a message. */
export const adminBodyLimitBytes = 16 * 1024;
