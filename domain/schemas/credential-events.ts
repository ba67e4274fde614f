import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { walletActions } from '../credential-lifecycle';
import { closed, Extensions, Uuid } from './common';
import { CredentialInstanceId } from './credential';
import { CredentialStatusValue } from './credential-lifecycle';

/**
 * S2S §Event Notification: the twelve event types and their `eventDetails` (the draft leaves the
 * schemas TODO; profile §29 defines them). Codes, versions, counts and times only: an event
 * carries no personal data ("poke" model, nothing unrecoverable).
 */
const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });
const Version = Type.String({ minLength: 1, maxLength: 128 });
const Count = Type.Integer({ minimum: 0, maximum: 1000 });
const Action = Type.Union(walletActions.map((action) => Type.Literal(action)));

/** eventDetails by event type (profile §29). Closed: a detail this profile does not define is refused. */
export const eventDetailSchemas = {
  // Wallet Server → issuer
  PROVISIONING_SUCCESS: Type.Object({ credentialVersion: Type.Optional(Version), credentialCount: Type.Optional(Count) }, closed),
  PROVISIONING_FAILURE: Type.Object({ failureReason: Code, credentialVersion: Type.Optional(Version) }, closed),
  LIFECYCLE_SUCCESS: Type.Object({ action: Action, currentStatus: Type.Optional(CredentialStatusValue) }, closed),
  LIFECYCLE_FAILURE: Type.Object({ action: Action, failureReason: Code }, closed),
  UPDATE_SUCCESS: Type.Object({ credentialVersion: Version }, closed),
  UPDATE_FAILURE: Type.Object({ failureReason: Code, credentialVersion: Type.Optional(Version) }, closed),
  UPDATE_REMINDER: Type.Object({ credentialVersion: Type.Optional(Version) }, closed),
  CREDENTIAL_EXPIRING: Type.Object({ expiresAt: Type.String({ format: 'date-time' }), remainingCredentials: Type.Optional(Count) }, closed),
  KEY_ROTATED: Type.Object({ keyCount: Type.Optional(Count) }, closed),
  // Issuer → Wallet Server
  CREDENTIAL_READY: Type.Object({}, closed),
  CREDENTIAL_UPDATE_AVAILABLE: Type.Object({ credentialVersion: Version }, closed),
  DISPLAY_DATA_UPDATED: Type.Object({ credentialMetadataVersion: Version }, closed),
} satisfies Record<string, TSchema>;

export type CredentialEventType = keyof typeof eventDetailSchemas;
export const walletEventTypes = [
  'PROVISIONING_SUCCESS',
  'PROVISIONING_FAILURE',
  'LIFECYCLE_SUCCESS',
  'LIFECYCLE_FAILURE',
  'UPDATE_SUCCESS',
  'UPDATE_FAILURE',
  'UPDATE_REMINDER',
  'CREDENTIAL_EXPIRING',
  'KEY_ROTATED',
] as const satisfies readonly CredentialEventType[];
export type WalletEventType = (typeof walletEventTypes)[number];
export const issuerEventTypes = ['CREDENTIAL_READY', 'CREDENTIAL_UPDATE_AVAILABLE', 'DISPLAY_DATA_UPDATED'] as const satisfies readonly CredentialEventType[];

/** One wallet-originated event, its details by its type: required when the type has a required detail. */
function walletEvent<T extends WalletEventType>(eventType: T) {
  const details: TObject = eventDetailSchemas[eventType];
  return Type.Object(
    {
      sessionId: Uuid,
      credentialInstanceId: CredentialInstanceId,
      eventType: Type.Literal(eventType),
      triggeringRequestId: Type.Optional(Uuid),
      eventTimestamp: Type.String({ format: 'date-time' }),
      eventDetails: (details.required ?? []).length > 0 ? details : Type.Optional(details),
      extensions: Type.Optional(Extensions),
    },
    closed,
  );
}

/** S2S §Event Notification, Request Body Schema, as the issuer accepts it: the nine Wallet Server events. */
export const WalletEventNotification = Type.Union(walletEventTypes.map((eventType) => walletEvent(eventType)));
export type WalletEventNotification = Static<typeof WalletEventNotification>;

/** S2S §Event Notification, Response Body Schema. */
export const EventNotificationResponse = Type.Object({ acknowledged: Type.Optional(Type.Boolean()), extensions: Type.Optional(Extensions) });
export type EventNotificationResponse = Static<typeof EventNotificationResponse>;
