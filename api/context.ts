import type { ParameterizedContext } from 'koa';
import type { Tenant } from '../store/tenants';
import type { RequestTimings } from './server-timing';

/** What the middleware chain establishes for a request, in order. */
export interface ApiState {
  /** Set by wallet-server-tenant.ts from the TLS client certificate. */
  tenant: Tenant;
  /** Set by api-version.ts. */
  apiVersion: string;
  /** Set by request-id.ts. */
  requestId: string;
  /** Set by idempotency.ts: SHA-256 of method, path and canonical body (profile §3). */
  requestFingerprint: string;
  /** Set by validate-body.ts: the body, checked against the endpoint's schema. */
  body: unknown;
  /** Set by server-timing.ts: the request's time by phase. */
  timings: RequestTimings;
  /** Admin listener only: who acts (api/admin/admin-authentication.ts), logged with each request. */
  actor?: { id: string; role: string };
}

export type ApiContext = ParameterizedContext<ApiState> & { request: { body?: unknown } };
export type ApiMiddleware = (ctx: ApiContext, next: () => Promise<void>) => Promise<void>;
