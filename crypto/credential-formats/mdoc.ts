import { createHash, randomBytes, randomInt } from 'node:crypto';
import { coseAlgorithmIds } from '../../domain/cose-algorithms';
import type { PublicJwk } from '../../domain/schemas/common';
import { coseSign1SigStructure } from '../cose-sign1';
import {
  CredentialFormatId,
  type CredentialFormat,
  type CredentialSigner,
  type IssueCredentialInput,
  type IssuedCredential,
} from '../../domain/credential-formats/format';
import { cborValueFromJson, embeddedCbor, encodeCbor, fullDate, tdate, wholeSeconds } from './mdoc-cbor';

/**
 * The `mso_mdoc` Credential Format Profile (OpenID4VCI 1.0 Appendix A.2): an ISO/IEC 18013-5
 * `IssuerSigned` structure, its data elements salted and digested, the digests signed in the
 * Mobile Security Object (MSO) by the document signer's key through the injected signer.
 */

/** ISO 18013-5 §9.1.2.4: the MSO version this issuer writes. */
export const msoVersion = '1.0';
/** ISO 18013-5 §9.1.2.5: the digest algorithm of valueDigests. */
export const msoDigestAlgorithm = 'SHA-256';
/** ISO 18013-5 §9.1.2.5: each random salt is at least 16 bytes; we use 32. */
export const saltLength = 32;

/** RFC 9052 §3.1 `alg` and RFC 9360 §2 `x5chain` header labels. */
const coseHeader = { alg: 1, x5chain: 33 } as const;
/** Raw signature length of each algorithm (ECDSA r || s, RFC 9053 §2.1). */
const signatureLengths: Readonly<Record<string, number>> = { ES256: 64, ES384: 96, ES512: 132, EdDSA: 64 };

/** RFC 9052 §7, RFC 9053 §7.1: COSE_Key labels and the curves an mdoc device key may use. */
const coseKey = { kty: 1, crv: -1, x: -2, y: -3 } as const;
const coseKeyTypes = { OKP: 1, EC2: 2 } as const;
const coseCurves: Readonly<Record<string, number>> = { 'P-256': 1, 'P-384': 2, 'P-521': 3, Ed25519: 6, Ed448: 7 };

/**
 * The data elements whose ISO 18013-5 type (Table 5, §7.2.1) is not what JSON gives: dates as
 * full-date (tag 1004) and images as byte strings. Claims arrive as JSON (OpenID4VCI Appendix C),
 * so a date is a `YYYY-MM-DD` text and bytes are base64url text; they are converted here.
 */
const mdlNamespace = 'org.iso.18013.5.1';
const mdlFullDateElements = new Set(['birth_date', 'issue_date', 'expiry_date']);
const mdlByteElements = new Set(['portrait', 'signature_usual_mark']);
/** Table 5: driving_privileges entries carry their own full-date issue_date and expiry_date. */
const drivingPrivilegeFullDates = new Set(['issue_date', 'expiry_date']);

function bytesFromClaim(value: unknown, element: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string' && /^[A-Za-z0-9_-]*$/.test(value)) return new Uint8Array(Buffer.from(value, 'base64url'));
  throw new Error(`data element ${element} must be base64url bytes`);
}

function fullDateFromClaim(value: unknown, element: string): unknown {
  if (typeof value !== 'string') throw new Error(`data element ${element} must be a full-date (YYYY-MM-DD)`);
  return fullDate(value);
}

/** The CBOR value of one data element: typed as ISO 18013-5 requires for the mDL namespace, as given elsewhere. */
function elementValue(namespace: string, element: string, claim: unknown): unknown {
  const value = cborValueFromJson(claim);
  if (namespace !== mdlNamespace) return value;
  if (mdlFullDateElements.has(element)) return fullDateFromClaim(value, element);
  if (mdlByteElements.has(element) || element.startsWith('biometric_template_')) return bytesFromClaim(value, element);
  if (element === 'driving_privileges') {
    if (!Array.isArray(value)) throw new Error('data element driving_privileges must be an array');
    return value.map((privilege: unknown) => {
      if (typeof privilege !== 'object' || privilege === null || Array.isArray(privilege)) throw new Error('a driving privilege must be an object');
      return Object.fromEntries(
        Object.entries(privilege).map(([key, member]) => [
          key,
          drivingPrivilegeFullDates.has(key) ? fullDateFromClaim(member, `driving_privileges.${key}`) : member,
        ]),
      );
    });
  }
  return value;
}

/** ISO 18013-5 §9.1.2.4 DeviceKey: the holder's public JWK as a COSE_Key (RFC 9052 §7). */
export function coseKeyFromJwk(jwk: PublicJwk): Map<number, number | Uint8Array> {
  const crv = typeof jwk.crv === 'string' ? coseCurves[jwk.crv] : undefined;
  if (crv === undefined || typeof jwk.x !== 'string') throw new Error(`the holder key is not an EC2 or OKP key on a COSE curve (crv ${String(jwk.crv)})`);
  const x = new Uint8Array(Buffer.from(jwk.x, 'base64url'));
  if (jwk.kty === 'EC' && typeof jwk.y === 'string') {
    const y = new Uint8Array(Buffer.from(jwk.y, 'base64url'));
    return new Map<number, number | Uint8Array>([
      [coseKey.kty, coseKeyTypes.EC2],
      [coseKey.crv, crv],
      [coseKey.x, x],
      [coseKey.y, y],
    ]);
  }
  if (jwk.kty === 'OKP') {
    return new Map<number, number | Uint8Array>([
      [coseKey.kty, coseKeyTypes.OKP],
      [coseKey.crv, crv],
      [coseKey.x, x],
    ]);
  }
  throw new Error(`the holder key type ${jwk.kty} cannot be a COSE_Key device key`);
}

/**
 * ISO 18013-5 §9.1.2.5: digestIDs are unique within a namespace and should not reveal the
 * elements' order or count, so they are random rather than sequential.
 */
function unusedRandomDigestId(used: Set<number>): number {
  let id: number;
  do id = randomInt(0, 2 ** 31);
  while (used.has(id));
  used.add(id);
  return id;
}

interface SaltedNamespace {
  /** Each encoded IssuerSignedItem; IssuerSigned carries it as `#6.24(bstr .cbor IssuerSignedItem)`. */
  items: Uint8Array[];
  /** digestID → SHA-256 of those exact bytes (valueDigests). */
  digests: Map<number, Uint8Array>;
}

/** ISO 18013-5 §8.3.2.1.2.2 IssuerSignedItem: one salted data element and its digest. */
function saltNamespace(namespace: string, elements: Readonly<Record<string, unknown>>): SaltedNamespace {
  const entries = Object.entries(elements);
  if (entries.length === 0) throw new Error(`namespace ${namespace} has no data elements`);
  const items: Uint8Array[] = [];
  const digests = new Map<number, Uint8Array>();
  const usedDigestIds = new Set<number>();
  for (const [element, value] of entries) {
    const digestID = unusedRandomDigestId(usedDigestIds);
    const item = new Map<string, unknown>([
      ['digestID', digestID],
      ['random', new Uint8Array(randomBytes(saltLength))],
      ['elementIdentifier', element],
      ['elementValue', elementValue(namespace, element, value)],
    ]);
    const encodedItem = encodeCbor(item);
    items.push(encodedItem);
    // The digest is over IssuerSignedItemBytes, the tagged form exactly as it is sent (§9.1.2.5).
    digests.set(
      digestID,
      new Uint8Array(
        createHash('sha256')
          .update(encodeCbor(embeddedCbor(encodedItem)))
          .digest(),
      ),
    );
  }
  return { items, digests };
}

function namespacesOf(claims: Readonly<Record<string, unknown>>): [string, Readonly<Record<string, unknown>>][] {
  const namespaces = Object.entries(claims);
  if (namespaces.length === 0) throw new Error('an mdoc needs at least one namespace of data elements');
  return namespaces.map(([namespace, elements]) => {
    if (typeof elements !== 'object' || elements === null || Array.isArray(elements)) {
      throw new Error(`claims of an mdoc are namespace → data elements; ${namespace} is not an object`);
    }
    return [namespace, elements as Readonly<Record<string, unknown>>];
  });
}

/**
 * ISO 18013-5 §9.1.2.4 IssuerAuth: an untagged COSE_Sign1 over MobileSecurityObjectBytes, `alg`
 * protected, the document signer certificate (leaf first) as `x5chain` unprotected (§9.1.2.4:
 * a single certificate is a bstr, a chain an array).
 */
async function signMobileSecurityObject(signer: CredentialSigner, msoBytes: Uint8Array): Promise<unknown[]> {
  const alg = coseAlgorithmIds[signer.alg];
  if (alg === undefined) throw new Error(`signing algorithm ${signer.alg} has no COSE identifier for an mdoc`);
  const chain = (signer.certificateChain ?? []).map((der) => new Uint8Array(Buffer.from(der, 'base64')));
  if (chain.length === 0) throw new Error('an mdoc issuer needs its document signer certificate (x5chain)');
  const protectedHeader = encodeCbor(new Map([[coseHeader.alg, alg]]));
  const unprotectedHeader = new Map<number, unknown>([[coseHeader.x5chain, chain.length === 1 ? chain[0] : chain]]);
  const signature = await signer.sign(coseSign1SigStructure(protectedHeader, msoBytes));
  if (signature.length !== signatureLengths[signer.alg]) {
    throw new Error(`the signer returned ${signature.length} bytes for ${signer.alg}; COSE wants the raw signature (r || s for ECDSA)`);
  }
  return [protectedHeader, unprotectedHeader, msoBytes, signature];
}

function docTypeOf(parameters: Readonly<Record<string, unknown>>, configurationId: string): string {
  const docType = parameters.doctype;
  if (typeof docType !== 'string' || docType.trim() === '') throw new Error(`configuration ${configurationId} (mso_mdoc) has no doctype`);
  return docType;
}

/** Issues `mso_mdoc` credentials: `credential` is base64url of the CBOR IssuerSigned (Appendix A.2.4). */
export function createMdocFormat(): CredentialFormat {
  return {
    format: CredentialFormatId.mdoc,
    async issue(input: IssueCredentialInput): Promise<IssuedCredential> {
      const docType = docTypeOf(input.configuration.parameters, input.configuration.id);
      const signed = wholeSeconds(input.validity.issuedAt);
      const validFrom = wholeSeconds(input.validity.validFrom);
      const validUntil = wholeSeconds(input.validity.validUntil);
      if (validUntil <= validFrom) throw new Error('an mdoc must be valid until after it becomes valid');
      if (!Number.isSafeInteger(input.status.index) || input.status.index < 0) throw new Error('a status list index is a non-negative integer');

      const salted = namespacesOf(input.claims).map(([namespace, elements]) => [namespace, saltNamespace(namespace, elements)] as const);
      const mso = new Map<string, unknown>([
        ['version', msoVersion],
        ['digestAlgorithm', msoDigestAlgorithm],
        ['valueDigests', new Map(salted.map(([namespace, { digests }]) => [namespace, digests]))],
        ['deviceKeyInfo', new Map([['deviceKey', coseKeyFromJwk(input.holderKey)]])],
        ['docType', docType],
        [
          'validityInfo',
          new Map([
            ['signed', tdate(signed)],
            ['validFrom', tdate(validFrom)],
            ['validUntil', tdate(validUntil)],
          ]),
        ],
        // draft-ietf-oauth-status-list, Referenced Token in an ISO mdoc: the MSO's `status`
        // names the Status List Token and this credential's index in it.
        [
          'status',
          new Map([
            [
              'status_list',
              new Map<string, unknown>([
                ['idx', input.status.index],
                ['uri', input.status.uri],
              ]),
            ],
          ]),
        ],
      ]);
      // MobileSecurityObjectBytes = #6.24(bstr .cbor MobileSecurityObject) (§9.1.2.4).
      const msoBytes = encodeCbor(embeddedCbor(encodeCbor(mso)));
      const issuerAuth = await signMobileSecurityObject(input.signer, msoBytes);
      const issuerSigned = new Map<string, unknown>([
        // IssuerNameSpaces: the items' own bytes in the tag, so the digests above match them.
        ['nameSpaces', new Map(salted.map(([namespace, { items }]) => [namespace, items.map((item) => embeddedCbor(item))]))],
        ['issuerAuth', issuerAuth],
      ]);
      const credential = Buffer.from(encodeCbor(issuerSigned)).toString('base64url');
      return {
        credential,
        digest: createHash('sha256').update(credential).digest('base64url'),
        expiresAt: validUntil,
      };
    },
  };
}
