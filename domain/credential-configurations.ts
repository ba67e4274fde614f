import { coseAlgorithmIds } from './cose-algorithms';
import { CredentialFormatId, type IssuanceConfiguration } from './credential-formats/format';
import type { ClaimDescription, ClaimsPath, CredentialConfigurationEntry, CredentialDisplay } from './schemas/credential-configuration';

/**
 * What the issuer offers, and which verification satisfies each offer. A credential
 * configuration id (OpenID4VCI §12.2.4 credential_configurations_supported key) maps to the
 * verification types, any one of which approves it (profile §Verification policy).
 */
export interface CredentialConfigurationPolicy {
  id: string;
  format: string;
  acceptedVerificationTypes: string[];
  /**
   * Combinations, when one type alone is not enough: the configuration is satisfied when every
   * type of at least one set is satisfied. Absent: each accepted type alone is a set.
   */
  requiredTypeSets?: string[][];
  /** Upper bound for authorizedDeviceCount (S2S §APPROVED Status Fields). */
  maxDevices: number;
}

export type CredentialCatalogue = ReadonlyMap<string, CredentialConfigurationPolicy>;

export function createCredentialCatalogue(policies: readonly CredentialConfigurationPolicy[]): CredentialCatalogue {
  return new Map(policies.map((policy) => [policy.id, policy]));
}

/** Returns the ids in the request that the catalogue does not offer. */
export function unknownConfigurationIds(catalogue: CredentialCatalogue, ids: readonly string[]): string[] {
  return ids.filter((id) => !catalogue.has(id));
}

/** The sets of verification types any one of which, fully satisfied, satisfies the configuration. */
export function requirementSets(policy: CredentialConfigurationPolicy): string[][] {
  return policy.requiredTypeSets ?? policy.acceptedVerificationTypes.map((type) => [type]);
}

/**
 * A credential configuration as the catalogue file gives it (profile §Credential
 * configurations): the verification policy above plus what issuing and describing it needs.
 */
export type CredentialConfiguration = CredentialConfigurationEntry;

/**
 * Whether a catalogue entry carries the issuance members. Files loaded at start always do
 * (config/credential-catalogue-file.ts); catalogues built in code may hold the policy alone.
 */
export function isIssuableConfiguration(policy: CredentialConfigurationPolicy): policy is CredentialConfiguration {
  return 'claims' in policy && 'display' in policy;
}

/** The format parameters of OpenID4VCI Appendix A that identify the credential's type. */
export function formatParameters(configuration: CredentialConfiguration): Record<string, unknown> {
  switch (configuration.format) {
    case CredentialFormatId.mdoc:
      return { doctype: configuration.doctype };
    case CredentialFormatId.sdJwtVc:
      return { vct: configuration.vct };
    case CredentialFormatId.jwtVcJson:
      return { credential_definition: configuration.credential_definition };
  }
}

/** What a format implementation is handed (domain/credential-formats/format.ts). */
/**
 * Profile §29, Refresh: how long before its credentials expire an instance offers fresh ones
 * (`refreshBeforeDays`, else a tenth of the validity, at least a day, always below it), and the
 * length of a renewal period: credentials signed in one period are handed out again within it
 * and reach their refresh time only after it ended.
 */
export function refreshTimingOf(configuration: Pick<CredentialConfiguration, 'validityDays' | 'refreshBeforeDays'>): {
  refreshBeforeMs: number;
  renewalPeriodMs: number;
} {
  const day = 86_400_000;
  const validityMs = configuration.validityDays * day;
  const before = Math.min(configuration.refreshBeforeDays ?? Math.max(1, Math.ceil(configuration.validityDays / 10)), configuration.validityDays - 1);
  // A one-day credential has no room for a refresh window: it renews every day, refreshed an hour before.
  const refreshBeforeMs = before >= 1 ? before * day : 3_600_000;
  return { refreshBeforeMs, renewalPeriodMs: validityMs - refreshBeforeMs };
}

export function issuanceConfigurationOf(configuration: CredentialConfiguration): IssuanceConfiguration {
  return {
    id: configuration.id,
    format: configuration.format,
    parameters: formatParameters(configuration),
    // Without it a dc+sd-jwt would sign every claim in clear (profile §26: the configuration's `disclosable`).
    ...(configuration.disclosable ? { disclosable: configuration.disclosable } : {}),
  };
}

/**
 * The display-relevant metadata of a configuration (OpenID4VCI §12.2.4 credential_metadata):
 * its display per locale and its claims descriptions. Both the issuer metadata and
 * `/credential/metadata` (S2S §Get Credential Metadata) serve it, and its version is the hash
 * of exactly this (crypto/credential-metadata-version.ts), so the version changes when, and
 * only when, what a wallet shows changes.
 */
export function credentialMetadataOf(configuration: CredentialConfiguration): { display: CredentialDisplay[]; claims: ClaimDescription[] } {
  return { display: configuration.display, claims: configuration.claims };
}

/** SD-JWT VC §3.2.2.2: claims the issuer sets itself; never holder data, never disclosable. */
const sdJwtVcReservedClaims = new Set(['iss', 'nbf', 'exp', 'iat', 'cnf', 'vct', 'vct#integrity', 'status', '_sd', '_sd_alg', '...']);

const pathText = (path: ClaimsPath) => JSON.stringify(path);

function duplicateLocales(displays: readonly { locale: string }[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const { locale } of displays) {
    const key = locale.toLowerCase();
    if (seen.has(key)) duplicates.add(locale);
    seen.add(key);
  }
  return [...duplicates];
}

type Component = ClaimsPath[number];
const kindOf = (component: Component) => (typeof component === 'string' ? 'member' : component === null ? 'all' : 'index');

/**
 * OpenID4VCI Appendix B.3: a claims array that addresses a claim twice, or treats one claim both
 * as an array and as an object, or addresses an array both as a whole (null) and by index, is
 * contradictory, and a wallet must abort processing it.
 */
function contradictoryClaims(claims: readonly ClaimDescription[]): string[] {
  const problems: string[] = [];
  for (let i = 0; i < claims.length; i++) {
    for (let j = i + 1; j < claims.length; j++) {
      const a = (claims[i] as ClaimDescription).path;
      const b = (claims[j] as ClaimDescription).path;
      let k = 0;
      while (k < a.length && k < b.length && a[k] === b[k]) k++;
      if (k === a.length && k === b.length) problems.push(`claim ${pathText(a)} is described twice`);
      else if (k < a.length && k < b.length && kindOf(a[k] as Component) !== kindOf(b[k] as Component)) {
        problems.push(`claims ${pathText(a)} and ${pathText(b)} contradict each other (OpenID4VCI Appendix B.3)`);
      }
    }
  }
  return problems;
}

/** The rules of a configuration that its schema cannot express; empty when it is sound. */
export function credentialConfigurationProblems(configuration: CredentialConfiguration): string[] {
  const problems: string[] = [];
  const parameters = { doctype: configuration.doctype, vct: configuration.vct, credential_definition: configuration.credential_definition };
  const own = Object.keys(formatParameters(configuration))[0] as keyof typeof parameters;
  if (parameters[own] === undefined) problems.push(`format ${configuration.format} needs ${own}`);
  for (const name of Object.keys(parameters) as (keyof typeof parameters)[]) {
    if (name !== own && parameters[name] !== undefined) problems.push(`${name} does not belong to format ${configuration.format}`);
  }
  if (configuration.format === CredentialFormatId.jwtVcJson && !configuration.credential_definition?.type.includes('VerifiableCredential')) {
    problems.push('credential_definition.type must include VerifiableCredential (VCDM 2.0 §4.5)');
  }
  for (const locale of duplicateLocales(configuration.display)) problems.push(`display has locale ${locale} twice`);
  if (configuration.refreshBeforeDays !== undefined && configuration.refreshBeforeDays >= configuration.validityDays)
    problems.push(`refreshBeforeDays ${configuration.refreshBeforeDays} must be below validityDays ${configuration.validityDays}`);
  for (const claim of configuration.claims) {
    const path = pathText(claim.path);
    for (const locale of duplicateLocales(claim.display ?? [])) problems.push(`claim ${path} has display locale ${locale} twice`);
    const [first, second] = claim.path;
    if (configuration.format === CredentialFormatId.mdoc && (typeof first !== 'string' || typeof second !== 'string')) {
      problems.push(`claim ${path}: an mdoc claim starts with its namespace and data element identifier (OpenID4VCI Appendix C)`);
    }
    if (configuration.format === CredentialFormatId.jwtVcJson && (first !== 'credentialSubject' || claim.path.length < 2)) {
      problems.push(`claim ${path}: a jwt_vc_json claim is a member of credentialSubject`);
    }
    if (configuration.format === CredentialFormatId.sdJwtVc && typeof first === 'string' && sdJwtVcReservedClaims.has(first)) {
      problems.push(`claim ${path}: ${first} is set by the issuer (SD-JWT VC §3.2.2.2), not from holder data`);
    }
  }
  problems.push(...contradictoryClaims(configuration.claims));
  if (configuration.disclosable !== undefined) {
    if (configuration.format !== CredentialFormatId.sdJwtVc) problems.push(`disclosable applies to dc+sd-jwt only, not ${configuration.format}`);
    const described = new Set(configuration.claims.map((claim) => pathText(claim.path)));
    for (const path of configuration.disclosable) {
      if (!described.has(pathText(path))) problems.push(`disclosable claim ${pathText(path)} is not described in claims`);
    }
  }
  const attestation = configuration.keyAttestation;
  if (attestation.required && attestation.trustedIssuers.length === 0) problems.push('keyAttestation.required needs at least one trusted issuer');
  if (!attestation.required && (attestation.keyStorage || attestation.userAuthentication)) {
    // OpenID4VCI §12.2.4: key_attestations_required MUST NOT be present when none is required.
    problems.push('keyAttestation.keyStorage and userAuthentication apply only when required is true');
  }
  return problems;
}

/** The rules of a whole catalogue: sound configurations with unique ids. */
export function credentialCatalogueProblems(configurations: readonly CredentialConfiguration[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const configuration of configurations) {
    if (ids.has(configuration.id)) problems.push(`configuration ${configuration.id} is defined twice`);
    ids.add(configuration.id);
    problems.push(...credentialConfigurationProblems(configuration).map((problem) => `${configuration.id}: ${problem}`));
  }
  return problems;
}

/**
 * The credential_configurations_supported members of OpenID4VCI §12.2.4 and Appendix A for one
 * configuration: format parameters, key binding, algorithms, proof types and the display
 * metadata. The policy members and the metadata version are the issuer metadata's own.
 */
export function openId4VciConfigurationMetadata(configuration: CredentialConfiguration): Record<string, unknown> {
  const mdoc = configuration.format === CredentialFormatId.mdoc;
  const attestation = configuration.keyAttestation;
  return {
    format: configuration.format,
    ...formatParameters(configuration),
    // §12.2.4: COSE_Key binding for mdoc (ISO/IEC 18013-5 deviceKey), a JWK (cnf.jwk) otherwise.
    cryptographic_binding_methods_supported: [mdoc ? 'cose_key' : 'jwk'],
    // Appendix A.2.2: mso_mdoc lists COSE algorithm identifiers, the JWT formats JWS names.
    credential_signing_alg_values_supported: mdoc
      ? configuration.credentialSigningAlgorithms.map((alg) => coseAlgorithmIds[alg] as number)
      : configuration.credentialSigningAlgorithms,
    proof_types_supported: {
      jwt: {
        proof_signing_alg_values_supported: configuration.proofSigningAlgorithms,
        // §12.2.4: present only when key attestations are required.
        ...(attestation.required
          ? {
              key_attestations_required: {
                ...(attestation.keyStorage ? { key_storage: attestation.keyStorage } : {}),
                ...(attestation.userAuthentication ? { user_authentication: attestation.userAuthentication } : {}),
              },
            }
          : {}),
      },
    },
    credential_metadata: credentialMetadataOf(configuration),
  };
}
