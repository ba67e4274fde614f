/**
 * What the issuer offers, and which verification satisfies each offer. A credential
 * configuration id (OpenID4VCI §12.2.4 credential_configurations_supported key) maps to the
 * verification types, any one of which approves it (profile §Verification policy).
 */
export interface CredentialConfigurationPolicy {
  id: string;
  format: string;
  acceptedVerificationTypes: string[];
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
