import { X509Certificate, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CredentialFormatId, type CredentialSigner } from '../domain/credential-formats/format';
import { createSoftwareSigner, isCredentialSigningAlgorithm } from './credential-signer';

/**
 * The issuer's credential signing keys (S2S_SIGNING_KEYS_FILE, a secret in production):
 *
 *   { "active": "<id>",
 *     "activeByFormat"?: { "<credential format>": "<id>" },
 *     "keys": [ { "id", "alg", "privateJwk", "certificateChain": [base64 DER leaf … root], "notAfter"? } ] }
 *
 * New credentials of a format named in `activeByFormat` are signed with that key, all others
 * (and the Token Status Lists) with the `active` key: an mdoc is signed by a document signer
 * chaining to an IACA (ISO/IEC 18013-5 Annex B), a JOSE credential by a key of the credential
 * signing CA, and one PKI cannot serve both. A rotation changes `active` or `activeByFormat`,
 * never a configuration: the keys are not named anywhere else. Keys that were active before
 * stay in the file after a rotation: credentials they signed are still valid until they expire, so their
 * certificates stay published for verifiers (`publishedSigningCertificates`). `notAfter`
 * (ISO 8601) is when the operator retires a key; it defaults to its leaf certificate's notAfter.
 * Only the active keys' private parts are kept, inside their signers (crypto/credential-signer.ts);
 * a retired entry may drop `privateJwk` altogether, and if it keeps it, it is only checked
 * against its certificate.
 */
export interface CredentialSigningKeyEntry {
  id: string;
  alg: string;
  /** Required for an active key (`active`, `activeByFormat`); a retired key may omit it. */
  privateJwk?: JsonWebKey;
  certificateChain: string[];
  notAfter?: string;
}

export interface CredentialSigningKeyFile {
  active: string;
  /** Credential Format Identifier → the id of the key that signs that format's new credentials. */
  activeByFormat?: Record<string, string>;
  keys: CredentialSigningKeyEntry[];
}

/** What may be shown about a signing key: everything but the private key. */
export interface PublishedSigningCertificate {
  id: string;
  alg: string;
  certificateChain: readonly string[];
  notAfter: Date;
  /** Signs new credentials: the `active` key or one named in `activeByFormat`. */
  active: boolean;
}

export interface CredentialSigningKeys {
  /** Signs new credentials of formats without a key of their own, and the Token Status Lists. */
  readonly active: CredentialSigner;
  readonly activeId: string;
  /** The `activeByFormat` of the file: format → key id. */
  readonly activeIdByFormat: Readonly<Record<string, string>>;
  /** The signer of new credentials of a format (a Credential Format Identifier): its own key, else `active`. */
  signerFor(format: string): CredentialSigner;
  /** Every configured key, the retired ones included, without private parts. */
  readonly published: readonly PublishedSigningCertificate[];
}

/** The Credential Format Identifiers `activeByFormat` may name (OpenID4VCI 1.0 Appendix A). */
const knownFormats: ReadonlySet<string> = new Set(Object.values(CredentialFormatId));

/**
 * ISO/IEC 18013-5 Annex B (Table B.3) and §9.1.2.4: an mdoc's issuerAuth is signed by a document
 * signer, whose certificate carries the critical extended key usage id-mdl-kp-mdlDS and chains
 * to an IACA; a verifier refuses an MSO signed by any other certificate.
 */
export const mdocDocumentSignerKeyPurpose = '1.0.18013.5.1.2';

/** Why the key with this leaf cannot sign credentials of `format`, if it cannot. */
export function signingCertificateProblem(format: string, leaf: X509Certificate): string | undefined {
  if (format === CredentialFormatId.mdoc && !(leaf.keyUsage ?? []).includes(mdocDocumentSignerKeyPurpose)) {
    return `an ${format} credential is signed by an mdoc document signer (ISO 18013-5 Annex B: extended key usage ${mdocDocumentSignerKeyPurpose})`;
  }
  return undefined;
}

function leafOf(chain: readonly string[]): X509Certificate {
  return new X509Certificate(Buffer.from(chain[0] as string, 'base64'));
}

export function parseCredentialSigningKeys(file: CredentialSigningKeyFile, source: string, now = new Date()): CredentialSigningKeys {
  if (!Array.isArray(file.keys) || file.keys.length === 0) throw new Error(`${source}: no credential signing keys`);
  const ids = new Set(file.keys.map((entry) => entry.id));
  if (ids.size !== file.keys.length) throw new Error(`${source}: credential signing key ids must be unique`);
  const byFormat = file.activeByFormat ?? {};
  if (typeof byFormat !== 'object' || byFormat === null || Array.isArray(byFormat))
    throw new Error(`${source}: activeByFormat must map Credential Format Identifiers to key ids`);
  for (const [format, id] of Object.entries(byFormat)) {
    // A misspelt format would silently fall back to `active`: refused instead.
    if (!knownFormats.has(format)) throw new Error(`${source}: activeByFormat names ${format}, not a credential format of this issuer`);
    if (typeof id !== 'string' || id === '') throw new Error(`${source}: activeByFormat.${format} must be a key id`);
  }
  const activeIds = new Set([file.active, ...Object.values(byFormat)]);
  const signers = new Map<string, CredentialSigner>();
  const published = file.keys.map((entry): PublishedSigningCertificate => {
    if (typeof entry.id !== 'string' || entry.id === '') throw new Error(`${source}: a credential signing key has no id`);
    const leafDer = entry.certificateChain?.[0];
    if (leafDer === undefined) throw new Error(`${source}: credential signing key ${entry.id} has no certificate chain`);
    if (!isCredentialSigningAlgorithm(entry.alg))
      throw new Error(`${source}: credential signing key ${entry.id}: credential signing algorithm ${entry.alg} is not supported`);
    if (entry.privateJwk !== undefined) {
      try {
        signers.set(
          entry.id,
          createSoftwareSigner({ privateJwk: entry.privateJwk, alg: entry.alg, certificateChain: entry.certificateChain, keyId: entry.id }),
        );
      } catch (error) {
        throw new Error(`${source}: credential signing key ${entry.id}: ${(error as Error).message}`);
      }
    }
    const notAfter = entry.notAfter === undefined ? new Date(leafOf(entry.certificateChain).validTo) : new Date(entry.notAfter);
    if (Number.isNaN(notAfter.getTime())) throw new Error(`${source}: credential signing key ${entry.id} has an invalid notAfter`);
    return { id: entry.id, alg: entry.alg, certificateChain: [...entry.certificateChain], notAfter, active: activeIds.has(entry.id) };
  });

  /** The signer of an active key: present, with its private part, within its validity. */
  function activeSigner(id: string, role: string): CredentialSigner {
    const entry = published.find((candidate) => candidate.id === id);
    if (!entry) throw new Error(`${source}: the ${role} credential signing key ${id} is not in keys`);
    const signer = signers.get(id);
    if (!signer) throw new Error(`${source}: the ${role} credential signing key ${id} has no privateJwk`);
    const leaf = leafOf(entry.certificateChain);
    // A credential signed under an expired or not-yet-valid certificate is invalid from the start.
    if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo) || now > entry.notAfter) {
      throw new Error(`${source}: the ${role} credential signing key ${id} is outside its validity; rotate to a current key`);
    }
    return signer;
  }
  const active = activeSigner(file.active, 'active');
  const signerByFormat = new Map(
    Object.entries(byFormat).map(([format, id]) => {
      const signer = activeSigner(id, `${format} active`);
      const problem = signingCertificateProblem(format, leafOf(signer.certificateChain ?? []));
      if (problem) throw new Error(`${source}: activeByFormat.${format} names key ${id}, but ${problem}`);
      return [format, signer] as const;
    }),
  );
  // Retired keys' signers were built only to check their certificates: not kept.
  signers.clear();
  return {
    active,
    activeId: file.active,
    activeIdByFormat: Object.freeze({ ...byFormat }),
    signerFor: (format) => signerByFormat.get(format) ?? active,
    published,
  };
}

/**
 * Refuses, at start, keys that cannot sign a format the catalogue issues: without
 * `activeByFormat.mso_mdoc`, mdocs would fall back to `active` and carry a certificate no mdoc
 * verifier accepts (ISO 18013-5 Annex B), so nothing issued would be usable.
 */
export function checkSignersForFormats(keys: Pick<CredentialSigningKeys, 'signerFor'>, formats: Iterable<string>, source: string): void {
  for (const format of new Set(formats)) {
    const signer = keys.signerFor(format);
    const leaf = signer.certificateChain?.[0];
    const problem = leaf === undefined ? undefined : signingCertificateProblem(format, leafOf([leaf]));
    if (problem)
      throw new Error(`${source}: credential signing key ${signer.keyId ?? ''} signs ${format} credentials, but ${problem}; name one in activeByFormat`);
  }
}

export function loadCredentialSigningKeys(path: string, now = new Date()): CredentialSigningKeys {
  return parseCredentialSigningKeys(JSON.parse(readFileSync(path, 'utf8')) as CredentialSigningKeyFile, path, now);
}
