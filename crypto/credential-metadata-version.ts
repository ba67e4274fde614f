import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json';
import { credentialMetadataOf, type CredentialConfiguration } from '../domain/credential-configurations';
import type { CredentialMetadata } from '../domain/schemas/credential';

/**
 * Versions by configuration object: a catalogue is loaded once and never changed, and every
 * get and metadata request asks for its configuration's version.
 */
const versions = new WeakMap<CredentialConfiguration, string>();

/**
 * The version of a configuration's credential metadata (S2S §Get Credential:
 * currentCredentialMetadataVersion; §Get Credential Metadata: credentialMetadataVersion):
 * base64url SHA-256 of the canonical JSON of exactly the metadata served
 * (domain credentialMetadataOf: display and claims descriptions). Key order and file layout do
 * not change it; any change of what a wallet displays does, and nothing else does (validity,
 * batch size, signing key and verification policy are not display data). Stable across
 * processes and restarts, so every API instance answers the same version.
 */
export function credentialMetadataVersion(configuration: CredentialConfiguration): string {
  let version = versions.get(configuration);
  if (version === undefined) {
    version = createHash('sha256')
      .update(canonicalJson(credentialMetadataOf(configuration)), 'utf8')
      .digest('base64url');
    versions.set(configuration, version);
  }
  return version;
}

/** The credential metadata served for a configuration (S2S §Get Credential, §Get Credential Metadata), with its version. */
export function describeCredentialMetadata(configuration: CredentialConfiguration): CredentialMetadata {
  return {
    credentialConfigurationId: configuration.id,
    credentialMetadataVersion: credentialMetadataVersion(configuration),
    ...credentialMetadataOf(configuration),
  };
}
