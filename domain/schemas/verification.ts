import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { VerificationState } from '../verification-state';
import { closed, Extensions, KeyData, Uuid } from './common';

export { VerificationState };

const VerificationType = Type.String({ minLength: 1, maxLength: 256, description: 'Verification type (URN or r-DNS)' });

/** S2S §VerificationDataItem Schema. Open: "Additional type-specific fields MAY be required based on verification type". */
export const VerificationDataItem = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 256 }), type: VerificationType, extensions: Type.Optional(Extensions) },
  { additionalProperties: true },
);
export type VerificationDataItem = Static<typeof VerificationDataItem> & Record<string, unknown>;

/** S2S §VerificationDataItemRequest Schema. Open: "Additional type-specific fields MAY be required based on verification type". */
export const VerificationDataItemRequest = Type.Object(
  {
    type: VerificationType,
    id: Type.String({ minLength: 1 }),
    required: Type.Boolean(),
    extensions: Type.Optional(Extensions),
  },
  { additionalProperties: true },
);
export type VerificationDataItemRequest = Static<typeof VerificationDataItemRequest>;

/** S2S §VerificationDataRequest Schema (issuer to Wallet Server only; responses are not closed, profile §6). */
export const VerificationDataRequest = Type.Object({
  verificationDataItems: Type.Array(VerificationDataItemRequest),
  deadline: Type.Optional(Type.String({ format: 'date-time' })),
  maxAttempts: Type.Optional(Type.Integer({ minimum: 1 })),
  extensions: Type.Optional(Extensions),
});
export type VerificationDataRequest = Static<typeof VerificationDataRequest>;

/**
 * S2S §JweEncryptedPayload. Closed. `jwe` as an object is a JWE JSON serialization (RFC 7516
 * §7.2), whose members crypto/jwe-hpke.ts checks; it is left open here.
 */
export const JweEncryptedPayload = Type.Object(
  {
    jwe: Type.Union([Type.String({ minLength: 1 }), Type.Object({}, { additionalProperties: true })]),
    origin: Type.Union([Type.Literal('WALLET_CLIENT'), Type.Literal('WALLET_SERVER'), Type.Literal('ISSUER')]),
    purpose: Type.Optional(Type.String()),
    extensions: Type.Optional(Extensions),
  },
  closed,
);

/** S2S §VerificationDataResponse Schema. Closed; each `additionalAssessments` entry is an open "object" in the draft. */
export const VerificationDataResponse = Type.Object(
  {
    clientEncryptedPayload: Type.Optional(Type.Array(JweEncryptedPayload, { maxItems: 32 })),
    serverVerificationDataItem: Type.Optional(Type.Array(VerificationDataItem, { maxItems: 32 })),
    additionalAssessments: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 32 })),
    extensions: Type.Optional(Extensions),
  },
  closed,
);
export type VerificationDataResponse = Static<typeof VerificationDataResponse>;

/** S2S §Verification Initiate, Request Body Schema. Closed. */
export const InitiateVerificationRequest = Type.Object(
  {
    sessionId: Uuid,
    credentialConfigurationIds: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 32, uniqueItems: true }),
    walletSigningKeyData: KeyData,
    // Only bounded here: a malformed nonce (padding, "+", "/", wrong length) is a failed client
    // authentication, refused by the nonce check (profile §5, S2S §Replay Protection), not a schema violation.
    verificationNonce: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'base64url (no padding) signature by the Wallet Signing Key over the UTF-8 bytes of sessionId (profile §Verification nonce)',
    }),
    verificationData: Type.Optional(VerificationDataResponse),
    supportedVerificationTypes: Type.Optional(Type.Array(VerificationType, { maxItems: 64 })),
    requestedDeviceCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 1 })),
    locale: Type.Optional(Type.String({ minLength: 1, maxLength: 35 })),
    extensions: Type.Optional(Extensions),
  },
  closed,
);
export type InitiateVerificationRequest = Static<typeof InitiateVerificationRequest>;

/** S2S §Get Verification Status, Request Body Schema. Closed. */
export const VerificationStatusRequest = Type.Object(
  {
    sessionId: Uuid,
    verificationId: Uuid,
    extensions: Type.Optional(Extensions),
  },
  closed,
);
export type VerificationStatusRequest = Static<typeof VerificationStatusRequest>;

/** S2S §Supplement, Request Body Schema. Closed. */
export const SupplementVerificationRequest = Type.Object(
  {
    sessionId: Uuid,
    verificationId: Uuid,
    verificationDataPayload: VerificationDataResponse,
    extensions: Type.Optional(Extensions),
  },
  closed,
);
export type SupplementVerificationRequest = Static<typeof SupplementVerificationRequest>;

/** S2S §Verification Cancellation, Request Body Schema. Closed. */
export const CancelVerificationRequest = Type.Object(
  {
    sessionId: Uuid,
    verificationId: Uuid,
    reason: Type.String({ minLength: 1, maxLength: 256, description: 'Machine-readable reason for the cancellation' }),
    extensions: Type.Optional(Extensions),
  },
  closed,
);
export type CancelVerificationRequest = Static<typeof CancelVerificationRequest>;

/** S2S §Verification Cancellation, Response Body Schema (also the /verification/notify answer). */
export const VerificationReference = Type.Object({ sessionId: Uuid, verificationId: Uuid });

/** Admin API: the issuer's back office creates a Credential Offer (profile §Credential Offers). Ours, no extension point: closed. */
export const CreateCredentialOfferRequest = Type.Object(
  {
    credentialConfigurationIds: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 32, uniqueItems: true }),
    holderAccountId: Type.String({ minLength: 1, maxLength: 128, description: "The holder's account at the issuer" }),
    holderAuthenticated: Type.Boolean({ description: 'Whether the holder is (sufficiently) authenticated at the issuer now' }),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600, default: 600 })),
  },
  closed,
);
export type CreateCredentialOfferRequest = Static<typeof CreateCredentialOfferRequest>;

/** Admin API: the back office issues a one-time code to deliver through its own channel. Closed. */
export const IssueOneTimeCodeRequest = Type.Object(
  {
    tenantId: Type.String({ ...Uuid, description: 'The Wallet Server (tenant) whose verifications may use the code' }),
    holderAccountId: Type.String({ minLength: 1, maxLength: 128 }),
    credentialConfigurationIds: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 32, uniqueItems: true }),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 3600, default: 600 })),
  },
  closed,
);

/** Admin API: the issuer's surface reports that the holder logged in (profile §Issuer-surface authentication). Closed. */
export const CompleteIssuerAuthenticationRequest = Type.Object(
  {
    handle: Type.String({ minLength: 16, maxLength: 128 }),
    holderAccountId: Type.String({ minLength: 1, maxLength: 128 }),
  },
  closed,
);

const statusBase = { sessionId: Uuid, verificationId: Uuid, extensions: Type.Optional(Extensions) };

function statusVariant<S extends VerificationState, P extends Record<string, TSchema>>(status: S, fields: P) {
  return Type.Object({ ...statusBase, status: Type.Literal(status), ...fields });
}

/** S2S §VerificationStatus Schema with the per-status fields of §Verification Status. */
export const VerificationStatus = Type.Union([
  statusVariant(VerificationState.pending, {}),
  statusVariant(VerificationState.additionalInfoRequired, { verificationDataRequest: VerificationDataRequest }),
  statusVariant(VerificationState.rejected, { reasonCode: Type.String(), rejectedDetails: Type.Optional(Type.String()) }),
  statusVariant(VerificationState.denied, { reasonCode: Type.String(), deniedMessage: Type.String() }),
  statusVariant(VerificationState.approved, {
    credentialConfigurationIds: Type.Array(Type.String()),
    authorizedDeviceCount: Type.Optional(Type.Integer({ minimum: 1 })),
  }),
  statusVariant(VerificationState.expired, {}),
]);
export type VerificationStatus = Static<typeof VerificationStatus>;

/** A status without the identifiers: what a decision produces and a workflow carries. */
export type VerificationDecision = VerificationStatus extends infer V
  ? V extends VerificationStatus
    ? Omit<V, 'sessionId' | 'verificationId' | 'extensions'>
    : never
  : never;
