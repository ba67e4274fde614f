import { Type, type Static } from '@sinclair/typebox';
import { closed, Extensions, KeyData, type PublicJwk, Uuid } from './common';
import { ClaimDescription, CredentialDisplay } from './credential-configuration';
import { JweEncryptedPayload } from './verification';

/**
 * Wire types of S2S §Credential Endpoints, defined once (validation, OpenAPI, types). Requests
 * are closed (profile §6); the members the draft leaves to the profile are described in
 * docs/profile.md §25.
 */

/** S2S §Identifier Model: opaque, issuer-assigned. Bounded (profile §6). */
export const CredentialInstanceId = Type.String({ minLength: 1, maxLength: 128, description: 'CredentialInstanceId (S2S §Identifier Model)' });

/**
 * Profile §25: the extension that names the Wallet Client Instance (device) a provision is for.
 * A verification may be provisioned on `authorizedDeviceCount` devices (S2S §APPROVED Status
 * Fields); each device gets its own credential instances.
 */
export const deviceExtension = 'walletClientInstanceId';

/** S2S §Provision Credential, Request Body Schema. Closed. */
export const ProvisionCredentialRequest = Type.Object(
  {
    sessionId: Uuid,
    verificationId: Uuid,
    extensions: Type.Optional(
      Type.Object(
        { [deviceExtension]: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'profile §25: the device; default "default"' })) },
        { additionalProperties: true },
      ),
    ),
  },
  closed,
);
export type ProvisionCredentialRequest = Static<typeof ProvisionCredentialRequest>;

export const CredentialInstances = Type.Object({
  credentialConfigurationId: Type.String(),
  credentialInstanceIds: Type.Array(CredentialInstanceId),
});

/** S2S §Provision Credential, Response Body Schema (the draft spells the member with a capital C). */
export const ProvisionCredentialResponse = Type.Object({
  CredentialInstances: Type.Array(CredentialInstances),
  extensions: Type.Optional(Extensions),
});
export type ProvisionCredentialResponse = Static<typeof ProvisionCredentialResponse>;

/** Profile §25: an issuer nonce for the proofs of one get (the S2S form of OpenID4VCI 1.0 §7). */
export const CredentialNonceRequest = Type.Object(
  { sessionId: Uuid, credentialInstanceId: CredentialInstanceId, extensions: Type.Optional(Extensions) },
  closed,
);
export type CredentialNonceRequest = Static<typeof CredentialNonceRequest>;

export const CredentialNonceResponse = Type.Object({
  c_nonce: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type CredentialNonceResponse = Static<typeof CredentialNonceResponse>;

/** S2S §Content Reference. */
export const ContentReference = Type.Object({
  downloadUrl: Type.String({ format: 'uri' }),
  contentDigest: Type.String({ description: 'base64url SHA-256 of the JWE content as downloaded' }),
  contentSize: Type.Optional(Type.Integer({ minimum: 0 })),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  extensions: Type.Optional(Extensions),
});
export type ContentReference = Static<typeof ContentReference>;

/**
 * The credential metadata of a configuration (S2S §Get Credential Metadata: "displayData as well
 * as other relevant metadata"): OpenID4VCI `credential_metadata` ({ display, claims }) with the
 * configuration it describes and its version (profile §27, Metadata versioning).
 */
export const CredentialMetadata = Type.Object({
  credentialConfigurationId: Type.String(),
  credentialMetadataVersion: Type.String(),
  display: Type.Array(CredentialDisplay),
  claims: Type.Array(ClaimDescription),
});
export type CredentialMetadata = Static<typeof CredentialMetadata>;

/** S2S §Get Credential, Request Body Schema. Closed. `clientEncryptedData` is required by profile §25. */
export const GetCredentialRequest = Type.Object(
  {
    sessionId: Uuid,
    credentialInstanceId: CredentialInstanceId,
    reason: Type.String({ minLength: 1, maxLength: 256 }),
    walletEncryptionKey: KeyData,
    clientEncryptedData: Type.Optional(JweEncryptedPayload),
    currentCredentialMetadataVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    extensions: Type.Optional(Extensions),
  },
  closed,
);
export type GetCredentialRequest = Static<typeof GetCredentialRequest>;

/**
 * `credentials` (S2S §Get Credential: "JWE object whose plaintext is an Array of Credentials"):
 * a JweEncryptedPayload from the ISSUER, or — for an answer over the in-band limit — the same
 * JWE by reference (profile §25, S2S §Content Reference).
 */
export const CredentialsByReference = Type.Object({
  contentReference: ContentReference,
  origin: Type.Literal('ISSUER'),
  extensions: Type.Optional(Extensions),
});
export const DeliveredCredentials = Type.Union([JweEncryptedPayload, CredentialsByReference]);
export type DeliveredCredentials = Static<typeof DeliveredCredentials>;

/** S2S §Get Credential, Response Body Schema (credentials issued). */
export const GetCredentialResponse = Type.Object({
  credentialMetadata: Type.Optional(CredentialMetadata),
  credentialVersion: Type.String(),
  credentials: DeliveredCredentials,
  extensions: Type.Optional(Extensions),
});
export type GetCredentialResponse = Static<typeof GetCredentialResponse>;

/**
 * Profile §25, deferred issuance: the draft's "PENDING state" (S2S §Overview) has no field in
 * the get response, so a get whose credentials are not ready answers `202 Accepted` with this
 * body and `Retry-After`; CREDENTIAL_READY (S2S §Event Types) says when to call get again.
 */
export const CredentialPending = Type.Object({
  sessionId: Uuid,
  credentialInstanceId: CredentialInstanceId,
  status: Type.Literal('PENDING'),
  notReadyUntil: Type.Optional(Type.String({ format: 'date-time' })),
  extensions: Type.Optional(Extensions),
});
export type CredentialPending = Static<typeof CredentialPending>;

/** S2S §Get Credential Metadata, Request Body Schema. Closed. */
export const CredentialMetadataRequest = Type.Object(
  {
    sessionId: Uuid,
    credentialInstanceId: CredentialInstanceId,
    walletEncryptionKey: KeyData,
    credentialMetadataVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    extensions: Type.Optional(Extensions),
  },
  closed,
);
export type CredentialMetadataRequest = Static<typeof CredentialMetadataRequest>;

export const CredentialMetadataResponse = Type.Object({
  credentialMetadata: Type.Optional(CredentialMetadata),
  extensions: Type.Optional(Extensions),
});
export type CredentialMetadataResponse = Static<typeof CredentialMetadataResponse>;

/** Most presentment keys one get may carry, whatever a configuration allows (profile §6, §27 batchSize ≤ 100). */
export const maxPresentmentKeys = 100;

/**
 * Profile §25: the signed payload of a get's `clientEncryptedData` (a Client Encrypted Payload,
 * S2S §Client Encrypted Payload; `aud` and `iat` as profile §11). Open: a JWT payload may carry
 * registered claims beyond these (RFC 7519 §4).
 */
export const CredentialRequestClaims = Type.Object(
  {
    aud: Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 1 })]),
    iat: Type.Integer(),
    sessionId: Uuid,
    credentialInstanceId: CredentialInstanceId,
    nonce: Type.String({ minLength: 1, maxLength: 256 }),
    walletEncryptionKeyThumbprint: Type.String({ minLength: 43, maxLength: 43 }),
    presentmentKeys: Type.Array(Type.String({ minLength: 1, maxLength: 16 * 1024, description: 'OpenID4VCI 1.0 jwt key proof (Appendix F.1)' }), {
      minItems: 1,
      maxItems: maxPresentmentKeys,
    }),
  },
  { additionalProperties: true },
);
export type CredentialRequestClaims = Static<typeof CredentialRequestClaims>;

/** What a verified get request hands on: the proven keys, public parts only. */
export interface ProvenCredentialRequest {
  walletEncryptionKey: PublicJwk;
  presentmentKeys: PublicJwk[];
}
