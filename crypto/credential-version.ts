import { createHmac } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json';
import { derivedKeys, type DataKeyring } from './data-encryption';

/**
 * `credentialVersion` of S2S §Get Credential: identifies the holder data set the credentials
 * were issued from, so a Wallet Server can tell an update from the same data. It is an HMAC
 * (SHA-256, key derived by HKDF from the active data key under its own label) of the canonical
 * JSON of the configuration id and the claims issued, not a plain hash: a plain hash of a few
 * guessable claims (a name, a birth date) could be tested against candidates by anyone who
 * sees the version. The same claims give the same version in every process; any change of an
 * issued claim gives another. Rotating the active data key changes every version (the next get
 * then issues anew).
 */
export function createCredentialVersioner(keyring: DataKeyring): (configurationId: string, claims: Readonly<Record<string, unknown>>) => string {
  const key = derivedKeys(keyring, 'credential-version')(keyring.activeKid) as Buffer;
  return (configurationId, claims) =>
    createHmac('sha256', key)
      .update(canonicalJson({ configurationId, claims: JSON.parse(JSON.stringify(claims)) as unknown }))
      .digest('base64url');
}
