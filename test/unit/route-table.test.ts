import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import pino from 'pino';
import { buildApiRouter, type ApiDeps } from '../../api/app';
import type { ApiState } from '../../api/context';
import { renderProblems } from '../../api/middleware/problem-details';
import { buildOpenApiDocument } from '../../api/openapi';
import { documentRoutes, protocolRoutes } from '../../api/routes';
import { buildIssuerMetadata } from '../../api/routes/issuer-metadata';
import type { ProtocolRoute } from '../../api/routes/route';
import { createCredentialCatalogue } from '../../domain/credential-configurations';
import { VerificationReference, VerificationStatusRequest } from '../../domain/schemas/verification';
import { Type } from '@sinclair/typebox';
import { generateIssuerKeys } from '../support/issuer-test-keys';

/** A route that is in no table of the application: added here to see where it shows up. */
const probeRoute: ProtocolRoute<ApiDeps> = {
  method: 'POST',
  path: '/probe/echo',
  summary: 'Echo for the route table test (S2S §Endpoints)',
  requestSchema: VerificationStatusRequest,
  responseSchema: VerificationReference,
  effects: 'write',
  steps: () => [
    async (ctx) => {
      ctx.body = ctx.state.body;
    },
  ],
};
const extendedTable = [...protocolRoutes, probeRoute];

/** Only what building the router and the documents touches; the repositories are never reached. */
async function documentOnlyDeps(): Promise<ApiDeps> {
  return {
    logger: pino({ level: 'silent' }),
    probes: {},
    serverTiming: false,
    issuerKeys: await generateIssuerKeys(),
    catalogue: createCredentialCatalogue([]),
    verificationTypes: [],
    limits: { requestDeadlineMs: 60_000, maxAttempts: 3 },
    initialDecisionWaitMs: 1000,
    idleExpiryMs: 600_000,
    bodyLimitBytes: 1024,
    clientPayloadIatWindowMs: 300_000,
    crashAfter: () => undefined,
    tenants: undefined as never,
    tenantCacheMs: 0,
    idempotency: undefined as never,
    sessions: undefined as never,
    verificationData: undefined as never,
    workflows: undefined as never,
    openVerifications: undefined as never,
    contentDelivery: undefined as never,
    credentialIssuer: 'https://issuer.example',
    sessionHolders: undefined as never,
    credentialInstances: undefined as never,
    credentialMetadataVersions: undefined as never,
    credentialNonces: undefined as never,
    credentialLifecycle: undefined as never,
    walletEvents: undefined as never,
    credentialRequests: undefined as never,
    credentialDeliveries: undefined as never,
    lifecycle: undefined as never,
    credentialIssuance: undefined as never,
    credentialRequestChecks: undefined as never,
    pendingRetryAfterSeconds: 60,
    quotas: { ratePerSecond: 100, burst: 200, maxOpenVerifications: 100, openVerificationsRetryAfterSeconds: 30 },
  };
}

/** Serves a router over plain HTTP (no mTLS, no tenant): enough for the documents and the chain's first step. */
async function serve(router: ReturnType<typeof buildApiRouter>, deps: ApiDeps) {
  const app = new Koa<ApiState>();
  app.use(renderProblems(deps.logger) as Koa.Middleware<ApiState>);
  app.use(router.routes());
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const request = async (method: string, path: string) => {
    const response = await fetch(`${base}${path}`, { method, ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  return { request, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function referencedComponentNames(document: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') names.add(value.replace('#/components/schemas/', ''));
        else visit(value);
      }
    }
  };
  visit(document);
  return names;
}

describe('the protocol route table (api/routes/index.ts)', () => {
  it('lists the S2S Issuer verification and credential endpoints, each citing the section it implements', () => {
    expect(protocolRoutes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /verification/initiate',
      'POST /verification/supplement',
      'POST /verification/status',
      'POST /verification/cancel',
      'POST /credential/provision',
      'POST /credential/nonce',
      'POST /credential/get',
      'POST /credential/metadata',
      'POST /credential/status',
      'POST /credential/manage',
      'POST /event/notify',
    ]);
    for (const route of protocolRoutes) expect(route.summary).toMatch(/\(S2S §[A-Z][^)]+\)$/);
  });

  it('a route added to the table is registered by the router behind the common chain', async () => {
    const deps = await documentOnlyDeps();
    const router = buildApiRouter(deps, { protocol: extendedTable, documents: documentRoutes });
    const layer = router.stack.find((l) => l.path === '/probe/echo');
    expect(layer?.methods).toEqual(['POST']);
    const { request, close } = await serve(router, deps);
    try {
      // The first step of the common chain answers: the route exists and the chain runs first.
      const response = await request('POST', '/probe/echo');
      expect(response.status).toBe(400);
      expect(response.json.type).toBe('urn:s2s-issuer:problem:unsupported-api-version');
    } finally {
      await close();
    }
  });

  it('a route added to the table appears in the OpenAPI document with its summary and schemas', () => {
    const document = buildOpenApiDocument({ routes: extendedTable });
    const operation = document.paths['/probe/echo']?.post as { summary: string; requestBody: unknown; responses: Record<string, unknown> };
    expect(operation.summary).toBe(probeRoute.summary);
    expect(JSON.stringify(operation.requestBody)).toContain('#/components/schemas/VerificationStatusRequest');
    expect(JSON.stringify(operation.responses[200])).toContain('#/components/schemas/VerificationReference');
  });

  it('documents the 429 of every endpoint with its Retry-After header (S2S §Rate Limiting)', () => {
    const document = buildOpenApiDocument({ routes: protocolRoutes });
    for (const route of protocolRoutes) {
      const operation = document.paths[route.path]?.post as { responses: Record<string, { headers?: Record<string, unknown> }> };
      expect(operation.responses[429]?.headers?.['Retry-After']).toBeDefined();
    }
  });

  it('a route added to the table appears in the issuer metadata endpoints_supported', async () => {
    const deps = await documentOnlyDeps();
    const metadata = buildIssuerMetadata({
      ...deps,
      limits: { ...deps.limits, initialDecisionWaitMs: 1000, bodyLimitBytes: 1024, clientPayloadIatWindowMs: 300_000 },
      protocolRoutes: extendedTable,
    });
    expect(metadata.endpoints_supported).toEqual(extendedTable.map((r) => r.path));
  });

  it('the served OpenAPI document and metadata describe the table the router was built from', async () => {
    const deps = await documentOnlyDeps();
    const { request, close } = await serve(buildApiRouter(deps, { protocol: extendedTable, documents: documentRoutes }), deps);
    try {
      const openApi = await request('GET', '/openapi.json');
      // The endpoints, then the GET routes clients call (the content download, profile §25).
      expect(Object.keys(openApi.json.paths as object)).toEqual([...extendedTable.map((r) => r.path), '/content/{id}']);
      const metadata = await request('GET', '/.well-known/openid-credential-issuer-s2s');
      expect(metadata.json.endpoints_supported).toEqual(extendedTable.map((r) => r.path));
    } finally {
      await close();
    }
  });

  it('the application serves exactly the table: router, OpenAPI paths and endpoints_supported agree', async () => {
    const deps = await documentOnlyDeps();
    const routed = buildApiRouter(deps)
      .stack.filter((l) => l.methods.includes('POST'))
      .map((l) => l.path);
    const paths = protocolRoutes.map((r) => r.path);
    expect(routed).toEqual(paths);
    expect(Object.keys(buildOpenApiDocument({ routes: protocolRoutes }).paths)).toEqual(paths);
    expect(
      buildIssuerMetadata({ ...deps, limits: { ...deps.limits, initialDecisionWaitMs: 1, bodyLimitBytes: 1, clientPayloadIatWindowMs: 1000 }, protocolRoutes })
        .endpoints_supported,
    ).toEqual(paths);
  });
});

describe('the content download route (profile §25 Content Reference)', () => {
  it('is registered for GET on the API router and described in the served OpenAPI document', async () => {
    const deps = await documentOnlyDeps();
    const router = buildApiRouter(deps);
    expect(router.stack.find((l) => l.path === '/content/:id')?.methods).toContain('GET');
    const { request, close } = await serve(router, deps);
    try {
      const openApi = await request('GET', '/openapi.json');
      const download = (openApi.json.paths as Record<string, { get?: { summary: string; responses: Record<string, { content?: Record<string, unknown> }> } }>)[
        '/content/{id}'
      ]?.get;
      expect(download?.summary).toMatch(/\(S2S §Content Reference\)$/);
      expect(Object.keys(download?.responses[200]?.content ?? {})).toEqual(['application/jose']);
      expect(JSON.stringify(download?.responses[404])).toContain('#/components/schemas/Problem');
    } finally {
      await close();
    }
  });
});

describe('OpenAPI components (api/openapi.ts)', () => {
  it.each([
    ['the application table', protocolRoutes],
    ['a table with an added route', extendedTable],
  ])('every schema in components is referenced, and every reference resolves (%s)', (_label, routes) => {
    const document = buildOpenApiDocument({ routes });
    const components = Object.keys(document.components.schemas);
    const referenced = referencedComponentNames({ paths: document.paths, components: document.components });
    expect([...referenced].filter((name) => !components.includes(name))).toEqual([]);
    expect(components.filter((name) => !referenced.has(name))).toEqual([]);
  });

  it('holds the request and response schemas of the table and the schemas they embed, by reference', () => {
    const schemas = buildOpenApiDocument({ routes: protocolRoutes }).components.schemas as Record<string, { properties?: Record<string, unknown> }>;
    expect(Object.keys(schemas).sort()).toEqual(
      [
        'InitiateVerificationRequest',
        'SupplementVerificationRequest',
        'VerificationStatusRequest',
        'CancelVerificationRequest',
        'VerificationStatus',
        'VerificationReference',
        'PublicJwk',
        'KeyData',
        'VerificationDataRequest',
        'VerificationDataResponse',
        'JweEncryptedPayload',
        'ProvisionCredentialRequest',
        'ProvisionCredentialResponse',
        'CredentialNonceRequest',
        'CredentialNonceResponse',
        'GetCredentialRequest',
        'GetCredentialResponse',
        'CredentialPending',
        'CredentialMetadataRequest',
        'CredentialMetadataResponse',
        'CredentialMetadata',
        'ContentReference',
        'CredentialStatusRequest',
        'CredentialStatusResponse',
        'ManageCredentialRequest',
        'ManageCredentialResponse',
        'WalletEventNotification',
        'EventNotificationResponse',
        'Problem',
      ].sort(),
    );
    // The deferred answer of a get is documented as its 202 (profile §25).
    const get = buildOpenApiDocument({ routes: protocolRoutes }).paths['/credential/get']?.post as { responses: Record<string, unknown> };
    expect(JSON.stringify(get.responses[202])).toContain('#/components/schemas/CredentialPending');
    expect(schemas.GetCredentialRequest?.properties?.walletEncryptionKey).toEqual({ $ref: '#/components/schemas/KeyData' });
    expect(schemas.InitiateVerificationRequest?.properties?.walletSigningKeyData).toEqual({ $ref: '#/components/schemas/KeyData' });
    expect(schemas.InitiateVerificationRequest?.properties?.verificationData).toEqual({ $ref: '#/components/schemas/VerificationDataResponse' });
    expect(schemas.KeyData?.properties?.client_public_key).toEqual({ $ref: '#/components/schemas/PublicJwk' });
  });

  it('refuses a route whose schema has no name in domain/schemas/', () => {
    const anonymous = { ...probeRoute, requestSchema: Type.Object({ x: Type.String() }) };
    expect(() => buildOpenApiDocument({ routes: [anonymous] })).toThrow(/named export of domain\/schemas/);
  });
});
