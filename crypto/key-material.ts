import type { AppConfig } from '../config/config';
import { loadDataKeyring, type DataKeyring } from './data-encryption';
import { loadCredentialSigningKeys, type CredentialSigningKeys } from './credential-signing-keys';
import { loadIssuerKeys, type IssuerKeys } from './issuer-keys';

export interface IssuerKeyMaterial {
  /** The issuer's HPKE encryption keys (private JWKs). */
  issuerKeys: IssuerKeys;
  /** Key-encryption keys for personal data at rest, also behind the Temporal PayloadCodec. */
  dataKeyring: DataKeyring;
  /** HMAC keys for one-time codes (same file format as the data keyring; store/one-time-codes.ts). */
  otpKeyring: DataKeyring;
}

/** Reads the key files the configuration names (mounted as secrets in production). */
export function loadIssuerKeyMaterial(config: Pick<AppConfig, 'keys'>): IssuerKeyMaterial {
  return {
    issuerKeys: loadIssuerKeys(config.keys.issuerKeysFile),
    dataKeyring: loadDataKeyring(config.keys.dataKeysFile),
    otpKeyring: loadDataKeyring(config.keys.otpKeysFile),
  };
}

/**
 * The credential signing keys the configuration names: read by the process that signs credentials,
 * separately from the material above, so processes that sign nothing never load them.
 */
export function loadCredentialSigningKeyMaterial(config: Pick<AppConfig, 'keys'>, now = new Date()): CredentialSigningKeys {
  return loadCredentialSigningKeys(config.keys.signingKeysFile, now);
}
