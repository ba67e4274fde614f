import { Type, type Static } from '@sinclair/typebox';

/**
 * The credential catalogue file (profile §Credential configurations): one entry per credential
 * configuration, holding both its verification policy (profile §9) and what the issuer needs to
 * issue and describe it (OpenID4VCI 1.0 §12.2.4 credential_configurations_supported). Defined
 * once here; config/credential-catalogue-file.ts validates a file against it at load, and
 * domain/credential-configurations.ts adds the rules a schema cannot say (unique claim paths,
 * disclosable paths that are described, format parameters of the format).
 *
 * Members published verbatim in the metadata keep their OpenID4VCI names (`display`, `claims`,
 * `doctype`, `vct`, `credential_definition`, `background_color`); the issuer's own settings are
 * camelCase like the policy members before them.
 */

/** BCP 47 language tag (RFC 5646), loosely: what a display object's `locale` holds. */
const Locale = Type.String({ pattern: '^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$', maxLength: 35 });

/** CSS Color Module Level 3 numerical colour (OpenID4VCI §12.2.4 background_color, text_color). */
const CssColor = Type.String({ pattern: '^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$' });

const ImageReference = Type.Object(
  { uri: Type.String({ minLength: 1, maxLength: 2048 }), alt_text: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) },
  { additionalProperties: false },
);

/** OpenID4VCI §12.2.4 credential_metadata.display: one object per locale. */
export const CredentialDisplay = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    locale: Locale,
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    background_color: Type.Optional(CssColor),
    text_color: Type.Optional(CssColor),
    logo: Type.Optional(ImageReference),
    background_image: Type.Optional(Type.Object({ uri: Type.String({ minLength: 1, maxLength: 2048 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type CredentialDisplay = Static<typeof CredentialDisplay>;

/**
 * OpenID4VCI Appendix C claims path pointer: strings select object members (for mso_mdoc the
 * first two are namespace and data element), null all array elements, integers one element.
 */
export const ClaimsPath = Type.Array(Type.Union([Type.String({ minLength: 1, maxLength: 128 }), Type.Null(), Type.Integer({ minimum: 0 })]), {
  minItems: 1,
  maxItems: 8,
});
export type ClaimsPath = Static<typeof ClaimsPath>;

/** OpenID4VCI Appendix B.2, claims description for issuer metadata. */
export const ClaimDescription = Type.Object(
  {
    path: ClaimsPath,
    /** True: the issuer always includes the claim (Appendix B.2); the holder's data must have it. */
    mandatory: Type.Optional(Type.Boolean()),
    display: Type.Optional(
      Type.Array(Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }), locale: Locale }, { additionalProperties: false }), { minItems: 1 }),
    ),
  },
  { additionalProperties: false },
);
export type ClaimDescription = Static<typeof ClaimDescription>;

/** JWS algorithm names (IANA JOSE); for mso_mdoc the metadata publishes their COSE identifiers. */
const JwsAlgorithm = Type.Union([Type.Literal('ES256'), Type.Literal('ES384'), Type.Literal('ES512'), Type.Literal('EdDSA')]);

/** OpenID4VCI Appendix D.2 attack potential resistance values. */
const AttackPotential = Type.Union([
  Type.Literal('iso_18045_high'),
  Type.Literal('iso_18045_moderate'),
  Type.Literal('iso_18045_enhanced-basic'),
  Type.Literal('iso_18045_basic'),
]);

/**
 * Key attestation policy (OpenID4VCI §12.2.4 key_attestations_required, Appendix D): whether a
 * presentment key must come with a key attestation, which storage and user-authentication levels
 * are accepted, and whose attestations are trusted (their `iss` values; the keys that check
 * them are configured with the trusted issuers).
 */
export const KeyAttestationPolicy = Type.Object(
  {
    required: Type.Boolean(),
    keyStorage: Type.Optional(Type.Array(AttackPotential, { minItems: 1 })),
    userAuthentication: Type.Optional(Type.Array(AttackPotential, { minItems: 1 })),
    trustedIssuers: Type.Array(Type.String({ minLength: 1, maxLength: 512 }), { maxItems: 64 }),
  },
  { additionalProperties: false },
);
export type KeyAttestationPolicy = Static<typeof KeyAttestationPolicy>;

const VerificationType = Type.String({ minLength: 1, maxLength: 256 });

/** One credential configuration: its verification policy and how it is issued and shown. */
export const CredentialConfigurationEntry = Type.Object(
  {
    /** The credential_configurations_supported key. */
    id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' }),
    /** Credential Format Identifier (OpenID4VCI Appendix A). */
    format: Type.Union([Type.Literal('mso_mdoc'), Type.Literal('dc+sd-jwt'), Type.Literal('jwt_vc_json')]),
    // Verification policy (profile §9).
    acceptedVerificationTypes: Type.Array(VerificationType),
    requiredTypeSets: Type.Optional(Type.Array(Type.Array(VerificationType, { minItems: 1 }), { minItems: 1 })),
    maxDevices: Type.Integer({ minimum: 1, maximum: 100 }),
    // Format parameters (Appendix A): exactly the one of the format.
    doctype: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    vct: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    credential_definition: Type.Optional(
      Type.Object({ type: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1 }) }, { additionalProperties: false }),
    ),
    display: Type.Array(CredentialDisplay, { minItems: 1 }),
    claims: Type.Array(ClaimDescription, { minItems: 1, maxItems: 256 }),
    /** dc+sd-jwt only: claims issued as selectively disclosable (SD-JWT §4.2); each is described in `claims`. */
    disclosable: Type.Optional(Type.Array(ClaimsPath)),
    /** Days from issuance until the credential expires (exp, or the MSO's validUntil). */
    validityDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    /**
     * Days before the credentials expire at which the issuer offers fresh ones (profile §29,
     * Refresh); below validityDays. Default: a tenth of validityDays, at least one day.
     */
    refreshBeforeDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3649 })),
    /** Most credentials of one request, one per presentment key (OpenID4VCI §12.2.4 batch_credential_issuance). */
    batchSize: Type.Integer({ minimum: 1, maximum: 100 }),
    /**
     * Algorithms of the key that signs the format's credentials (credential_signing_alg_values_supported).
     * Which key that is, is not configuration: the signing keys file's active key for the format
     * (profile §26 activeByFormat), so a rotation needs no configuration change.
     */
    credentialSigningAlgorithms: Type.Array(JwsAlgorithm, { minItems: 1 }),
    /** Algorithms accepted for proofs of possession of presentment keys (proof_types_supported.jwt). */
    proofSigningAlgorithms: Type.Array(JwsAlgorithm, { minItems: 1 }),
    keyAttestation: KeyAttestationPolicy,
  },
  { additionalProperties: false },
);
export type CredentialConfigurationEntry = Static<typeof CredentialConfigurationEntry>;

export const CredentialCatalogueFile = Type.Array(CredentialConfigurationEntry, { minItems: 1, maxItems: 256 });
export type CredentialCatalogueFile = Static<typeof CredentialCatalogueFile>;
