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
