import type { ApiMiddleware } from '../context';
import { buildOpenApiDocument } from '../openapi';
import type { DocumentRoute, ProtocolRoute } from './route';

function serveOpenApiDocument(protocolRoutes: readonly ProtocolRoute<never>[], documentRoutes: readonly DocumentRoute<never>[]): ApiMiddleware {
  const body = JSON.stringify(buildOpenApiDocument({ routes: protocolRoutes, documents: documentRoutes }));
  return async (ctx) => {
    ctx.type = 'application/json';
    ctx.body = body;
  };
}

/** The OpenAPI 3.1 document of the Issuer Endpoints (profile §6), built from the route tables. */
export const openApiDocumentRoute: DocumentRoute<{ protocolRoutes: readonly ProtocolRoute<never>[]; documentRoutes: readonly DocumentRoute<never>[] }> = {
  method: 'GET',
  path: '/openapi.json',
  steps: (deps) => [serveOpenApiDocument(deps.protocolRoutes, deps.documentRoutes)],
};
