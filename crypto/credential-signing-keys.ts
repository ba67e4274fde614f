import { X509Certificate, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CredentialSigner } from '../domain/credential-formats/format';
import { createSoftwareSigner, isCredentialSigningAlgorithm } from './credential-signer';

/**
 * The issuer's credential signing keys (S2S_SIGNING_KEYS_FILE, a secret in production):
 *
 *   { "active": "<id>",
 *     "keys": [ { "id", "alg", "privateJwk", "certificateChain": [base64 DER leaf … root], "notAfter"? } ] }
 *
 * New credentials are signed with the `active` key. Keys that were active before stay in the
 * file after a rotation: credentials they signed are still valid until they expire, so their
 * certificates stay published for verifiers (`publishedSigningCertificates`). `notAfter`
 * (ISO 8601) is when the operator retires a key; it defaults to its leaf certificate's notAfter.
 * Only the active key's private part is kept, inside its signer (crypto/credential-signer.ts);
 * a retired entry may drop `privateJwk` altogether, and if it keeps it, it is only checked
 * against its certificate.
 */
export interface CredentialSigningKeyEntry {
  id: string;
  alg: string;
  /** Required for the active key; a retired key may omit it. */
  privateJwk?: JsonWebKey;
  certificateChain: string[];
  notAfter?: string;
}

export interface CredentialSigningKeyFile {
  active: string;
  keys: CredentialSigningKeyEntry[];
}

/** What may be shown about a signing key: everything but the private key. */
export interface PublishedSigningCertificate {
  id: string;
  alg: string;
  certificateChain: readonly string[];
  notAfter: Date;
  active: boolean;
}

export interface CredentialSigningKeys {
  /** Signs new credentials. */
  readonly active: CredentialSigner;
  readonly activeId: string;
  /** Every configured key, the retired ones included, without private parts. */
  readonly published: readonly PublishedSigningCertificate[];
}

export function parseCredentialSigningKeys(file: CredentialSigningKeyFile, source: string, now = new Date()): CredentialSigningKeys {
  if (!Array.isArray(file.keys) || file.keys.length === 0) throw new Error(`${source}: no credential signing keys`);
  const ids = new Set(file.keys.map((entry) => entry.id));
  if (ids.size !== file.keys.length) throw new Error(`${source}: credential signing key ids must be unique`);
  let active: CredentialSigner | undefined;
  const published = file.keys.map((entry): PublishedSigningCertificate => {
    if (typeof entry.id !== 'string' || entry.id === '') throw new Error(`${source}: a credential signing key has no id`);
    const leafDer = entry.certificateChain?.[0];
    if (leafDer === undefined) throw new Error(`${source}: credential signing key ${entry.id} has no certificate chain`);
    if (!isCredentialSigningAlgorithm(entry.alg))
      throw new Error(`${source}: credential signing key ${entry.id}: credential signing algorithm ${entry.alg} is not supported`);
    if (entry.id === file.active && entry.privateJwk === undefined)
      throw new Error(`${source}: the active credential signing key ${entry.id} has no privateJwk`);
    if (entry.privateJwk !== undefined) {
      try {
        const signer = createSoftwareSigner({ privateJwk: entry.privateJwk, alg: entry.alg, certificateChain: entry.certificateChain, keyId: entry.id });
        if (entry.id === file.active) active = signer;
      } catch (error) {
        throw new Error(`${source}: credential signing key ${entry.id}: ${(error as Error).message}`);
      }
    }
    const leaf = new X509Certificate(Buffer.from(leafDer, 'base64'));
    const notAfter = entry.notAfter === undefined ? new Date(leaf.validTo) : new Date(entry.notAfter);
    if (Number.isNaN(notAfter.getTime())) throw new Error(`${source}: credential signing key ${entry.id} has an invalid notAfter`);
    return { id: entry.id, alg: entry.alg, certificateChain: [...entry.certificateChain], notAfter, active: entry.id === file.active };
  });
  if (!active) throw new Error(`${source}: the active credential signing key ${file.active} is not in keys`);
  const activeEntry = published.find((entry) => entry.id === file.active) as PublishedSigningCertificate;
  const activeLeaf = new X509Certificate(Buffer.from(activeEntry.certificateChain[0] as string, 'base64'));
  // A credential signed under an expired or not-yet-valid certificate is invalid from the start.
  if (now < new Date(activeLeaf.validFrom) || now > new Date(activeLeaf.validTo) || now > activeEntry.notAfter) {
    throw new Error(`${source}: the active credential signing key ${file.active} is outside its validity; rotate to a current key`);
  }
  return { active, activeId: file.active, published };
}

export function loadCredentialSigningKeys(path: string, now = new Date()): CredentialSigningKeys {
  return parseCredentialSigningKeys(JSON.parse(readFileSync(path, 'utf8')) as CredentialSigningKeyFile, path, now);
}
