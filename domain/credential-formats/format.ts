import type { PublicJwk } from '../schemas/common';

/**
 * The seam for credential formats, before the first one is written (STYLE.md: "a seam before
 * the second implementation"), beside the verification types' (domain/verification-types/).
 * An implementation issues one credential of one Credential Format Profile (OpenID4VCI 1.0
 * Appendix A); it lives outside domain/ (crypto/), because it hashes and encodes, and signs
 * only through the injected signer. The issuance workflow looks formats up in the registry by
 * the configuration's `format`.
 */

/** Credential Format Identifiers of OpenID4VCI 1.0 Appendix A that this issuer is shaped for. */
export const CredentialFormatId = {
  /** Appendix A.3, IETF SD-JWT VC. */
  sdJwtVc: 'dc+sd-jwt',
  /** Appendix A.2, ISO/IEC 18013-5 mdoc (the Mobile Security Object secures it). */
  mdoc: 'mso_mdoc',
  /** Appendix A.1.1, W3C VC signed as a JWT, not using JSON-LD. */
  jwtVcJson: 'jwt_vc_json',
} as const;

/** A credential configuration as the issuer signs it (OpenID4VCI §12.2.4 credential_configurations_supported). */
export interface IssuanceConfiguration {
  /** The credential_configurations_supported key. */
  id: string;
  /** Its Credential Format Identifier: selects the implementation. */
  format: string;
  /**
   * The format's own metadata parameters, as in credential_configurations_supported:
   * `vct` for dc+sd-jwt, `doctype` for mso_mdoc, `credential_definition.type` for jwt_vc_json.
   */
  parameters: Readonly<Record<string, unknown>>;
  /**
   * dc+sd-jwt only: the claims issued as disclosures (SD-JWT §4.2), by claims path pointer
   * (OpenID4VCI Appendix C; `null` selects every array element); the other claims are signed in
   * clear. Absent: none. Not a credential_configurations_supported parameter: the issuer's own
   * choice, which SD-JWT VC Type Metadata publishes as `sd` (draft-ietf-oauth-sd-jwt-vc §Claim
   * Selective Disclosure Metadata). Other formats ignore it.
   */
  disclosable?: readonly ClaimPath[];
}

/** A claims path pointer (OpenID4VCI Appendix C): object keys, array indices, `null` for all elements. */
export type ClaimPath = readonly (string | number | null)[];

/**
 * A Token Status List entry (draft-ietf-oauth-status-list):
 * `status.status_list { idx, uri }` in an SD-JWT VC or a VC JWT, the MSO's `status` in an mdoc.
 * The lifecycle (S2S §Credential Manage: SUSPEND, RESUME) flips the entry, not the credential.
 */
export interface StatusListReference {
  uri: string;
  index: number;
}

/**
 * Signs for the issuer without handing out its key (it may sit in an HSM). Every format above
 * signs with a JOSE/COSE algorithm over bytes it builds itself: the JWS signing input (SD-JWT VC,
 * jwt_vc_json) or the COSE_Sign1 Sig_structure of the MSO (mdoc); ECDSA signatures are r || s
 * in both.
 */
export interface CredentialSigner {
  /** JWS algorithm name (e.g. ES256); an mdoc maps it to its COSE identifier (ES256 → -7). */
  readonly alg: string;
  /** `kid` of the JWS header or the COSE protected header, when the issuer publishes keys by id. */
  readonly keyId?: string;
  /** The issuer's certificate chain, leaf first, base64 DER: `x5c` (JOSE) or `x5chain` (COSE). */
  readonly certificateChain?: readonly string[];
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** Everything one credential is made of; identifiers and timing are decided by the caller. */
export interface IssueCredentialInput {
  configuration: IssuanceConfiguration;
  /**
   * The holder's claims as a JSON object, addressed by claims path pointers (OpenID4VCI
   * Appendix C): top-level claims for dc+sd-jwt, the credentialSubject for jwt_vc_json, and
   * namespace → data element for mso_mdoc (e.g. `{ "org.iso.18013.5.1": { "family_name": … } }`).
   */
  claims: Readonly<Record<string, unknown>>;
  /**
   * The holder's public key, whose possession was proven (a presentment key of S2S §Get
   * Credential); the credential is bound to it (OpenID4VCI §8.1, Cryptographic Key Binding):
   * `cnf.jwk` (RFC 7800) in an SD-JWT VC and a VC JWT, the MSO's `deviceKeyInfo.deviceKey`
   * (the same key as a COSE_Key) in an mdoc.
   */
  holderKey: PublicJwk;
  /** `iat`/`nbf`/`exp` in the JWT formats; the MSO's `validityInfo` (signed, validFrom, validUntil) in an mdoc. */
  validity: { issuedAt: Date; validFrom: Date; validUntil: Date };
  status: StatusListReference;
  signer: CredentialSigner;
}

export interface IssuedCredential {
  /**
   * As a Credential Response carries it (Appendix A): the SD-JWT VC (issuer-signed JWT and
   * disclosures) for dc+sd-jwt, the JWT for jwt_vc_json, base64url of the CBOR `IssuerSigned`
   * for mso_mdoc.
   */
  credential: string;
  /** Identifies this credential in the issuer's records without keeping it: base64url SHA-256 of `credential`. */
  digest: string;
  /** When it stops being valid: `exp`, or the MSO's validUntil. */
  expiresAt: Date;
}

/** One Credential Format Profile. One module per format. */
export interface CredentialFormat {
  /** Its Credential Format Identifier (Appendix A), e.g. CredentialFormatId.sdJwtVc. */
  readonly format: string;
  issue(input: IssueCredentialInput): Promise<IssuedCredential>;
}

export type CredentialFormatRegistry = ReadonlyMap<string, CredentialFormat>;

/** The formats this issuer can sign, by identifier; one implementation per identifier. */
export function createCredentialFormatRegistry(formats: readonly CredentialFormat[]): CredentialFormatRegistry {
  const registry = new Map<string, CredentialFormat>();
  for (const implementation of formats) {
    if (implementation.format.trim() === '') throw new Error('a credential format needs its Credential Format Identifier');
    if (registry.has(implementation.format)) throw new Error(`two credential formats registered for ${implementation.format}`);
    registry.set(implementation.format, implementation);
  }
  return registry;
}

/** The ids of the configurations whose format no registered implementation signs (checked at start). */
export function configurationsWithoutFormat(
  registry: CredentialFormatRegistry,
  configurations: readonly Pick<IssuanceConfiguration, 'id' | 'format'>[],
): string[] {
  return configurations.filter((configuration) => !registry.has(configuration.format)).map((configuration) => configuration.id);
}

/** The implementation for a configuration; a configuration without one is a configuration error, not a request error. */
export function credentialFormatFor(registry: CredentialFormatRegistry, configuration: Pick<IssuanceConfiguration, 'id' | 'format'>): CredentialFormat {
  const implementation = registry.get(configuration.format);
  if (!implementation) throw new Error(`no credential format ${configuration.format} for configuration ${configuration.id}`);
  return implementation;
}
