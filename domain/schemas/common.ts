import { Type, type Static } from '@sinclair/typebox';

/**
 * Shared wire types. Each schema is defined once here and reused by request validation
 * (api/middleware/validate-body.ts), the OpenAPI document (api/openapi.ts) and the types.
 *
 * Profile §6, unknown members: an object whose draft table lists every member and offers
 * `extensions` as its extension point (S2S §Extensions) is closed (`additionalProperties: false`);
 * unknown members are refused, not silently dropped. Open are only the objects the draft (or the
 * RFC it names) leaves open; each says why where it is defined.
 */

/** A request object of the draft: its table's members and nothing else (profile §6). */
export const closed = { additionalProperties: false } as const;

/** Profile §Identifiers: UUIDs in canonical 8-4-4-4-12 hex form, any version, either case. */
export const uuidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const Uuid = Type.String({
  pattern: uuidPattern.source,
  description: 'UUID (RFC 9562) in canonical textual form',
  examples: ['5b0b8a5e-7e4c-4f49-9a3c-1f1b6f9e2d10'],
});

/** S2S §Extensions: implementation-specific fields; open by definition, unknown ones are ignored. */
export const Extensions = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Implementation-specific extension fields (collision-resistant names recommended)',
});

/**
 * RFC 7517 public JWK. Open: RFC 7517 §4 lets a JWK carry members beyond those registered (they
 * are ignored when not understood), e.g. `use`, `key_ops`, `x5c`. Private members are refused
 * where keys are received, and only the public members are stored (crypto/public-jwk.ts).
 */
export const PublicJwk = Type.Object(
  {
    // Bounded (profile §6): a stored key member cannot carry a large payload.
    kty: Type.String({ minLength: 1, maxLength: 32 }),
    alg: Type.String({ minLength: 1, maxLength: 32, description: 'S2S §KeyData: the public key MUST include alg' }),
    kid: Type.Optional(Type.String({ maxLength: 256 })),
    crv: Type.Optional(Type.String({ maxLength: 32 })),
    x: Type.Optional(Type.String({ maxLength: 2048 })),
    y: Type.Optional(Type.String({ maxLength: 2048 })),
    n: Type.Optional(Type.String({ maxLength: 2048 })),
    e: Type.Optional(Type.String({ maxLength: 2048 })),
  },
  { additionalProperties: true },
);
export type PublicJwk = Static<typeof PublicJwk> & Record<string, unknown>;

export const KeyType = {
  walletSigningKey: 'WALLET_SIGNING_KEY',
  walletEncryptionKey: 'WALLET_ENCRYPTION_KEY',
} as const;

/** S2S §KeyData. Closed; `attestation` (an "Object (Proof)" the draft does not define) is open. */
export const KeyData = Type.Object(
  {
    keyType: Type.String({ minLength: 1, description: 'WALLET_SIGNING_KEY, WALLET_ENCRYPTION_KEY or a collision-resistant custom type' }),
    client_public_key: PublicJwk,
    attestation: Type.Optional(Type.Unknown()),
    purpose: Type.Optional(Type.String()),
    extensions: Type.Optional(Extensions),
  },
  closed,
);
export type KeyData = Static<typeof KeyData>;
