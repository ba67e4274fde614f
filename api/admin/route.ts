import type { ParameterizedContext } from 'koa';
import type { ApiState } from '../context';
import type { ReviewerState } from './reviewer-auth';

/**
 * Who calls an admin route. Each caller of the admin listener has its own folder of routes
 * (api/admin/<caller>/) and, once roles exist, its own credential: the admin table names the
 * caller of every route so that the router can check it in one place.
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

export type AdminState = ApiState & ReviewerState;
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
