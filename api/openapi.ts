import type { TSchema } from '@sinclair/typebox';
import { supportedApiVersions } from '../domain/api-version';
import { ProblemType } from '../domain/problems';
import { KeyData, PublicJwk } from '../domain/schemas/common';
import {
  CancelVerificationRequest,
  SupplementVerificationRequest,
  VerificationReference,
  InitiateVerificationRequest,
  VerificationDataRequest,
  VerificationDataResponse,
  VerificationStatus,
  VerificationStatusRequest,
} from '../domain/schemas/verification';

/** Named schemas in components.schemas; the same objects validate requests at the edge. */
const schemas: Record<string, TSchema> = {
  PublicJwk,
  KeyData,
  VerificationDataRequest,
  VerificationDataResponse,
  InitiateVerificationRequest,
  SupplementVerificationRequest,
  VerificationStatusRequest,
  CancelVerificationRequest,
  VerificationReference,
  VerificationStatus,
};

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

function protocolOperation(summary: string, request: string, response: string) {
  const problem = { description: 'Problem Details (RFC 9457)', content: { 'application/problem+json': { schema: ref('Problem') } } };
  return {
    post: {
      summary,
      parameters: commonParameters,
      requestBody: { required: true, content: { 'application/json': { schema: ref(request) } } },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: ref(response) } } },
        400: problem,
        401: problem,
        404: problem,
        409: problem,
        413: problem,
        415: problem,
        422: problem,
        503: problem,
      },
    },
  };
}

/**
 * JSON Schema objects from TypeBox carry symbol-keyed metadata; JSON serialisation drops it.
 * Nested schemas stay inlined, which OpenAPI 3.1 (full JSON Schema) accepts.
 */
export function buildOpenApiDocument(serverUrl?: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'OpenID4VCI Server-to-Server Issuer API',
      version: supportedApiVersions[supportedApiVersions.length - 1],
      description: 'Issuer Endpoints of the S2S draft as implemented by this server; see docs/profile.md.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths: {
      '/verification/initiate': protocolOperation('Start a verification (S2S §Verification Initiate)', 'InitiateVerificationRequest', 'VerificationStatus'),
      '/verification/supplement': protocolOperation('More verification data (S2S §Supplement)', 'SupplementVerificationRequest', 'VerificationStatus'),
      '/verification/status': protocolOperation('Current status of a verification (S2S §Get Verification Status)', 'VerificationStatusRequest', 'VerificationStatus'),
      '/verification/cancel': protocolOperation('Cancel a verification (S2S §Verification Cancellation)', 'CancelVerificationRequest', 'VerificationReference'),
    },
    components: {
      schemas: { ...JSON.parse(JSON.stringify(schemas)), Problem: problemSchema },
      securitySchemes: { mutualTLS: { type: 'mutualTLS', description: 'RFC 8705 client certificate registered to a Wallet Server' } },
    },
    security: [{ mutualTLS: [] }],
  };
}
