import { KindGuard, type TSchema } from '@sinclair/typebox';
import { supportedApiVersions } from '../domain/api-version';
import { ProblemType } from '../domain/problems';
import * as commonSchemas from '../domain/schemas/common';
import * as verificationSchemas from '../domain/schemas/verification';
import * as credentialSchemas from '../domain/schemas/credential';
import * as credentialLifecycleSchemas from '../domain/schemas/credential-lifecycle';
import * as credentialEventSchemas from '../domain/schemas/credential-events';
import type { DocumentRoute, ProtocolRoute } from './routes/route';

/**
 * Schemas that the endpoints' bodies embed and that deserve a name of their own in
 * components.schemas; where a route's schema embeds one, the document refers to it by $ref.
 * The request and response schemas themselves come from the route table.
 */
const embeddedSchemas = [
  commonSchemas.PublicJwk,
  commonSchemas.KeyData,
  verificationSchemas.VerificationDataRequest,
  verificationSchemas.VerificationDataResponse,
  verificationSchemas.JweEncryptedPayload,
  credentialSchemas.CredentialMetadata,
  credentialSchemas.ContentReference,
];

/** A schema's component name is the name it is exported under from domain/schemas/. */
const schemaNames = new Map<unknown, string>(
  Object.entries({ ...commonSchemas, ...verificationSchemas, ...credentialSchemas, ...credentialLifecycleSchemas, ...credentialEventSchemas }).flatMap(
    ([name, value]) => (KindGuard.IsSchema(value) ? [[value, name] as const] : []),
  ),
);

function nameOf(schema: TSchema): string {
  const name = schemaNames.get(schema);
  if (!name) throw new Error('A route schema must be a named export of domain/schemas/ to appear in the OpenAPI document');
  return name;
}

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', enum: Object.values(ProblemType) },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    retryable: { type: 'boolean' },
    validationErrors: {
      type: 'array',
      items: { type: 'object', required: ['pointer', 'message'], properties: { pointer: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const commonParameters = [
  { name: 'Api-Version', in: 'header', required: true, schema: { type: 'string', enum: [...supportedApiVersions] } },
  { name: 'x-request-id', in: 'header', required: true, schema: { type: 'string', format: 'uuid' } },
];

const problem = { description: 'Problem Details (RFC 9457)', content: { 'application/problem+json': { schema: ref('Problem') } } };

function operation(route: ProtocolRoute<never>) {
  return {
    [route.method.toLowerCase()]: {
      summary: route.summary,
      parameters: commonParameters,
      requestBody: { required: true, content: { 'application/json': { schema: ref(nameOf(route.requestSchema)) } } },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: ref(nameOf(route.responseSchema)) } } },
        ...(route.acceptedSchema
          ? {
              202: {
                description: 'Accepted: the result is not ready (profile §25, deferred issuance)',
                headers: { 'Retry-After': { description: 'Seconds before asking again', schema: { type: 'integer', minimum: 1 } } },
                content: { 'application/json': { schema: ref(nameOf(route.acceptedSchema)) } },
              },
            }
          : {}),
        400: problem,
        401: problem,
        404: problem,
        409: problem,
        413: problem,
        415: problem,
        422: problem,
        // S2S §Rate Limiting: the rate limit and the open-verification cap (profile §23), with Retry-After.
        429: { ...problem, headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } } },
        503: problem,
      },
    },
  };
}

/**
 * A TypeBox schema as plain JSON Schema (JSON serialisation drops TypeBox's symbol-keyed
 * metadata), with every embedded copy of another named component replaced by its $ref.
 * Optional() wraps a schema in a shallow copy, so components are recognised by their JSON.
 */
function toComponent(schema: TSchema, others: Map<string, string>): unknown {
  const replace = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(replace);
    if (node === null || typeof node !== 'object') return node;
    const name = others.get(JSON.stringify(node));
    if (name) return ref(name);
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, replace(value)]));
  };
  const plain = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(plain).map(([key, value]) => [key, replace(value)]));
}

/** components.schemas: the table's request and response schemas, the schemas they embed, Problem. */
function componentSchemas(routes: readonly ProtocolRoute<never>[]): Record<string, unknown> {
  const named = new Map<string, TSchema>();
  for (const schema of [...routes.flatMap((r) => [r.requestSchema, r.responseSchema, ...(r.acceptedSchema ? [r.acceptedSchema] : [])]), ...embeddedSchemas])
    named.set(nameOf(schema), schema);
  const byJson = new Map([...named].map(([name, schema]) => [JSON.stringify(schema), name]));
  const components: Record<string, unknown> = {};
  for (const [name, schema] of named) {
    const others = new Map([...byJson].filter(([, other]) => other !== name));
    components[name] = toComponent(schema, others);
  }
  return { ...components, Problem: problemSchema };
}

/** A @koa/router path (`/content/:id`) as an OpenAPI path template (`/content/{id}`). */
export const openApiPath = (routerPath: string) => routerPath.replace(/:(\w+)/g, '{$1}');

/** A GET route that clients call (a document route with `openApi`), e.g. the content download. */
function getOperation(route: DocumentRoute<never>) {
  const described = route.openApi;
  if (!described) return {};
  return {
    get: {
      summary: described.summary,
      parameters: described.parameters,
      responses: {
        200: {
          description: described.ok.description,
          ...(described.ok.headers ? { headers: described.ok.headers } : {}),
          content: { [described.ok.mediaType]: { schema: { type: 'string' } } },
        },
        ...Object.fromEntries(described.problemStatuses.map((status) => [status, problem])),
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document of the Issuer Endpoints in the route table (routes/index.ts), and of
 * the GET routes among `documents` that describe themselves (`openApi`).
 */
export function buildOpenApiDocument(options: { routes: readonly ProtocolRoute<never>[]; documents?: readonly DocumentRoute<never>[]; serverUrl?: string }) {
  const described = (options.documents ?? []).filter((route) => route.openApi);
  return {
    openapi: '3.1.0',
    info: {
      title: 'OpenID4VCI Server-to-Server Issuer API',
      version: supportedApiVersions[supportedApiVersions.length - 1],
      description: 'Issuer Endpoints of the S2S draft as implemented by this server; see docs/profile.md.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    paths: Object.fromEntries([
      ...options.routes.map((route) => [route.path, operation(route)] as const),
      ...described.map((route) => [openApiPath(route.path), getOperation(route)] as const),
    ]),
    components: {
      schemas: componentSchemas(options.routes),
      securitySchemes: { mutualTLS: { type: 'mutualTLS', description: 'RFC 8705 client certificate registered to a Wallet Server' } },
    },
    security: [{ mutualTLS: [] }],
  };
}
