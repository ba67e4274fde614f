import { Type, type Static } from '@sinclair/typebox';
import { CredentialStatus, issuerActions, lifecycleFailureReasons, walletActions } from '../credential-lifecycle';
import { closed, Extensions, Uuid } from './common';
import { CredentialInstanceId } from './credential';

/** S2S §Get Credential Status: the states and UNKNOWN (profile §29). */
export const CredentialStatusValue = Type.Union(Object.values(CredentialStatus).map((status) => Type.Literal(status)));

/** Machine-readable reason codes (profile §29): short, no free text, so no personal data. */
const ReasonCode = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });

/** S2S §Credential Manage, Request Body Schema, as the Wallet Server sends it to the issuer. Closed. */
export const ManageCredentialRequest = Type.Object(
  {
    sessionId: Uuid,
    credentialInstanceId: CredentialInstanceId,
    action: Type.Union(walletActions.map((action) => Type.Literal(action))),
    reason: Type.Optional(ReasonCode),
    reasonDetail: Type.Optional(Type.String({ maxLength: 512, description: 'Not stored (profile §29)' })),
    timestamp: Type.Optional(Type.String({ format: 'date-time' })),
    extensions: Type.Optional(Extensions),
  },
  closed,
);
export type ManageCredentialRequest = Static<typeof ManageCredentialRequest>;

/** S2S §Credential Manage, Response Body Schema. */
export const ManageCredentialResponse = Type.Object({
  sessionId: Uuid,
  credentialInstanceId: CredentialInstanceId,
  currentStatus: CredentialStatusValue,
  previousStatus: Type.Optional(CredentialStatusValue),
  outcome: Type.Union([Type.Literal('COMPLETED'), Type.Literal('SCHEDULED'), Type.Literal('FAILED'), Type.Literal('NO_CHANGE')]),
  failureReason: Type.Optional(Type.Union(Object.values(lifecycleFailureReasons).map((reason) => Type.Literal(reason)))),
  extensions: Type.Optional(Extensions),
});
export type ManageCredentialResponse = Static<typeof ManageCredentialResponse>;

/** S2S §Get Credential Status, Request Body Schema. Closed. */
export const CredentialStatusRequest = Type.Object(
  { sessionId: Uuid, credentialInstanceId: CredentialInstanceId, extensions: Type.Optional(Extensions) },
  closed,
);
export type CredentialStatusRequest = Static<typeof CredentialStatusRequest>;

/** S2S §Get Credential Status, Response Body Schema. */
export const CredentialStatusResponse = Type.Object({
  currentStatus: CredentialStatusValue,
  currentVersion: Type.String({ description: 'credentialVersion of the last credentials issued; "" before the first (profile §29)' }),
  lastStatusChangeTime: Type.Optional(Type.String({ description: 'HTTP-date (RFC 9110 §5.6.7)' })),
  lastStatusChangeReason: Type.Optional(Type.String()),
  extensions: Type.Optional(Extensions),
});
export type CredentialStatusResponse = Static<typeof CredentialStatusResponse>;

/**
 * The issuer's back office asks for a lifecycle change (profile §29): of one instance, or of
 * every instance of a holder. `requestId` makes a retry the same request (the Update id).
 */
export const IssuerLifecycleRequest = Type.Object(
  {
    action: Type.Union(issuerActions.map((action) => Type.Literal(action))),
    reason: Type.Optional(ReasonCode),
    requestId: Type.Optional(Uuid),
  },
  closed,
);
export type IssuerLifecycleRequest = Static<typeof IssuerLifecycleRequest>;
