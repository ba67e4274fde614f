import type { TSchema } from '@sinclair/typebox';
import type { ApiMiddleware } from '../context';

/**
 * One Issuer Endpoint (S2S §Endpoints), written once: the router, the OpenAPI document and the
 * issuer metadata's endpoints_supported are all built from a table of these (routes/index.ts).
 *
 * Every Issuer Endpoint takes a JSON body (S2S §Transport), so it is a POST. The router runs
 * the common chain (Api-Version, x-request-id, JSON body, idempotency), then validates the body
 * against `requestSchema`, then `steps` in order (node-oidc-provider style).
 */
export interface ProtocolRoute<Deps> {
  method: 'POST';
  path: string;
  /** What the endpoint does and the S2S section it implements (the OpenAPI summary). */
  summary: string;
  /** A named schema of domain/schemas/ (it becomes components.schemas.<name>). */
  requestSchema: TSchema;
  responseSchema: TSchema;
  /** The body of a `202 Accepted` answer, for an endpoint whose result may not be ready yet (profile §25). */
  acceptedSchema?: TSchema;
  /**
   * 'read' for an endpoint without effects (it only reads): its x-request-id replay needs one
   * write, not two (api/middleware/idempotency.ts). Every other endpoint is 'write'.
   */
  effects: 'read' | 'write';
  /** The endpoint's own middlewares, after body validation; given the API's dependencies. */
  steps: (deps: Deps) => ApiMiddleware[];
}

/** How the OpenAPI document describes a GET route that clients call (not the documents themselves). */
export interface DocumentOperation {
  summary: string;
  parameters: readonly object[];
  /** The 200 answer. */
  ok: { description: string; mediaType: string; headers?: Record<string, object> };
  /** The statuses it may answer with Problem Details. */
  problemStatuses: readonly number[];
}

/**
 * A resource served by GET beside the endpoints (issuer metadata, OpenAPI, content downloads);
 * not an Issuer Endpoint. With `openApi`, the OpenAPI document lists it too.
 */
export interface DocumentRoute<Deps> {
  method: 'GET';
  /** A @koa/router path (`/content/:id`). */
  path: string;
  steps: (deps: Deps) => ApiMiddleware[];
  openApi?: DocumentOperation;
}
