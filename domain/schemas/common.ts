import { Type, type Static } from '@sinclair/typebox';

/**
 * Shared wire types. Each schema is defined once here and reused by request validation
 * (api/middleware/validate-body.ts), the OpenAPI document (api/openapi.ts) and the types.
 */

/** Profile §Identifiers: UUIDs in canonical 8-4-4-4-12 hex form, any version, either case. */
export const uuidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const Uuid = Type.String({
  pattern: uuidPattern.source,
  description: 'UUID (RFC 9562) in canonical textual form',
  examples: ['5b0b8a5e-7e4c-4f49-9a3c-1f1b6f9e2d10'],
});

/** S2S §Extensions: implementation-specific fields; unknown ones are ignored. */
export const Extensions = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Implementation-specific extension fields (collision-resistant names recommended)',
});

/** RFC 7517 public JWK. Private members are refused where keys are received (crypto/public-jwk.ts). */
export const PublicJwk = Type.Object(
  {
    kty: Type.String({ minLength: 1 }),
    alg: Type.String({ minLength: 1, description: 'S2S §KeyData: the public key MUST include alg' }),
    kid: Type.Optional(Type.String()),
    crv: Type.Optional(Type.String()),
    x: Type.Optional(Type.String()),
    y: Type.Optional(Type.String()),
    n: Type.Optional(Type.String()),
    e: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type PublicJwk = Static<typeof PublicJwk> & Record<string, unknown>;

export const KeyType = {
  walletSigningKey: 'WALLET_SIGNING_KEY',
  walletEncryptionKey: 'WALLET_ENCRYPTION_KEY',
} as const;

/** S2S §KeyData. */
export const KeyData = Type.Object({
  keyType: Type.String({ minLength: 1, description: 'WALLET_SIGNING_KEY, WALLET_ENCRYPTION_KEY or a collision-resistant custom type' }),
  client_public_key: PublicJwk,
  attestation: Type.Optional(Type.Unknown()),
  purpose: Type.Optional(Type.String()),
  extensions: Type.Optional(Extensions),
});
export type KeyData = Static<typeof KeyData>;
