import { createHash } from 'node:crypto';
import { walletSigningAlgorithms } from '../../crypto/public-jwk';
import { issuerEncryptionJwks, type IssuerKeys } from '../../crypto/issuer-keys';
import { contentEncryptionAlgorithms, parseHpkeAlg } from '../../crypto/jwe-hpke';
import { maxClientPayloadBytes } from '../../crypto/client-encrypted-payload';
import { supportedApiVersions } from '../../domain/api-version';
import { isIssuableConfiguration, openId4VciConfigurationMetadata, requirementSets, type CredentialCatalogue } from '../../domain/credential-configurations';
import { credentialMetadataVersion } from '../../crypto/credential-metadata-version';
import type { VerificationTypeDescription } from '../../domain/verification-types/evaluator';
import type { ApiMiddleware } from '../context';
import type { DocumentRoute, ProtocolRoute } from './route';

export interface MetadataDeps {
  /** The Credential Issuer Identifier (OpenID4VCI §12.2.4): the `aud` of key proofs (profile §25) and the `iss` of credentials. */
  credentialIssuer: string;
  issuerKeys: IssuerKeys;
  catalogue: CredentialCatalogue;
  verificationTypes: readonly VerificationTypeDescription[];
  limits: { requestDeadlineMs: number; maxAttempts: number; initialDecisionWaitMs: number; bodyLimitBytes: number; clientPayloadIatWindowMs: number };
  /** The route table: endpoints_supported lists its paths (S2S §Endpoints). */
  protocolRoutes: readonly ProtocolRoute<never>[];
}

/** The draft leaves S2S §Issuer Metadata open; profile §Issuer metadata defines this document. */
export function buildIssuerMetadata(deps: MetadataDeps) {
  const jwks = issuerEncryptionJwks(deps.issuerKeys);
  const encryptionAlgs = new Set<string>();
  for (const key of jwks.keys) {
    const parsed = parseHpkeAlg(key.alg);
    if (parsed) encryptionAlgs.add(`HPKE-${parsed.suiteId}-KE`).add(`HPKE-${parsed.suiteId}`);
  }
  return {
    credential_issuer: deps.credentialIssuer,
    api_versions_supported: [...supportedApiVersions],
    endpoints_supported: deps.protocolRoutes.map((route) => route.path),
    wallet_signing_alg_values_supported: walletSigningAlgorithms,
    encryption_alg_values_supported: [...encryptionAlgs],
    encryption_enc_values_supported: contentEncryptionAlgorithms,
    issuer_encryption_jwks: jwks,
    verification_types_supported: deps.verificationTypes.map((t) => ({ type: t.type, description: t.description })),
    credential_configurations_supported: Object.fromEntries(
      [...deps.catalogue.values()].map((c) => [
        c.id,
        {
          format: c.format,
          // OpenID4VCI §12.2.4 members, for configurations the issuer issues (profile §Credential configurations).
          ...(isIssuableConfiguration(c)
            ? { ...openId4VciConfigurationMetadata(c), credential_metadata_version: credentialMetadataVersion(c), max_batch_size: c.batchSize }
            : {}),
          accepted_verification_types: c.acceptedVerificationTypes,
          required_verification_type_sets: requirementSets(c),
          max_authorized_devices: c.maxDevices,
        },
      ]),
    ),
    ...batchCredentialIssuance(deps.catalogue),
    limits: {
      verification_data_request_deadline_seconds: Math.round(deps.limits.requestDeadlineMs / 1000),
      max_attempts: deps.limits.maxAttempts,
      initial_decision_wait_ms: deps.limits.initialDecisionWaitMs,
      request_body_max_bytes: deps.limits.bodyLimitBytes,
      client_payload_max_bytes: maxClientPayloadBytes,
      // Profile §11: how far a Client Encrypted Payload's iat may lie from the issuer's clock.
      client_payload_iat_window_seconds: Math.floor(deps.limits.clientPayloadIatWindowMs / 1000),
    },
  };
}

/**
 * OpenID4VCI §12.2.4 batch_credential_issuance is issuer-wide (batch_size at least 2): the largest
 * batch any configuration allows; each configuration's own limit is its max_batch_size.
 */
function batchCredentialIssuance(catalogue: CredentialCatalogue): { batch_credential_issuance?: { batch_size: number } } {
  const largest = Math.max(0, ...[...catalogue.values()].filter(isIssuableConfiguration).map((c) => c.batchSize));
  return largest >= 2 ? { batch_credential_issuance: { batch_size: largest } } : {};
}

/** Cacheable for five minutes, with an ETag. */
function serveIssuerMetadata(deps: MetadataDeps): ApiMiddleware {
  const body = JSON.stringify(buildIssuerMetadata(deps));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return async (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('ETag', etag);
    if (ctx.get('If-None-Match') === etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'application/json';
    ctx.body = body;
  };
}

/** What the API's composition hands the metadata route: its settings and the route table. */
export interface MetadataRouteDeps extends Pick<MetadataDeps, 'credentialIssuer' | 'issuerKeys' | 'catalogue' | 'verificationTypes' | 'protocolRoutes'> {
  limits: { requestDeadlineMs: number; maxAttempts: number };
  initialDecisionWaitMs: number;
  bodyLimitBytes: number;
  clientPayloadIatWindowMs: number;
}

export const issuerMetadataRoute: DocumentRoute<MetadataRouteDeps> = {
  method: 'GET',
  path: '/.well-known/openid-credential-issuer-s2s',
  steps: (deps) => [
    serveIssuerMetadata({
      ...deps,
      limits: {
        ...deps.limits,
        initialDecisionWaitMs: deps.initialDecisionWaitMs,
        bodyLimitBytes: deps.bodyLimitBytes,
        clientPayloadIatWindowMs: deps.clientPayloadIatWindowMs,
      },
    }),
  ],
};
