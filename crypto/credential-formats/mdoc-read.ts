import { createHash, verify, X509Certificate } from 'node:crypto';
import { decodeCbor, embeddedBytes, encodeCbor, embeddedCbor } from './mdoc-cbor';
import { coseSign1SigStructure } from '../cose-sign1';

/**
 * Reads an ISO/IEC 18013-5 `IssuerSigned` (§8.3.2.1.2.2) back: its salted data elements, the
 * COSE_Sign1 IssuerAuth and the Mobile Security Object inside it, keeping every signed or
 * digested byte string as it came, so that digests and the signature can be checked.
 */

export interface ReadIssuerSignedItem {
  digestID: number;
  random: Uint8Array;
  elementIdentifier: string;
  elementValue: unknown;
  /** IssuerSignedItemBytes as received: what valueDigests digests. */
  itemBytes: Uint8Array;
}

export interface ReadIssuerAuth {
  protectedHeader: Uint8Array;
  /** Decoded protected header (label → value). */
  protectedParameters: Map<unknown, unknown>;
  unprotectedParameters: Map<unknown, unknown>;
  /** MobileSecurityObjectBytes as signed. */
  payload: Uint8Array;
  signature: Uint8Array;
  /** The decoded MobileSecurityObject (string keys → values). */
  mso: Map<unknown, unknown>;
  /** x5chain (label 33), leaf first, DER. */
  certificateChain: Uint8Array[];
}

export interface ReadIssuerSigned {
  nameSpaces: Map<string, ReadIssuerSignedItem[]>;
  issuerAuth: ReadIssuerAuth;
}

function fail(what: string): never {
  throw new Error(`not an ISO 18013-5 IssuerSigned: ${what}`);
}

function asMap(value: unknown, what: string): Map<unknown, unknown> {
  return value instanceof Map ? value : fail(`${what} is not a map`);
}

function asBytes(value: unknown, what: string): Uint8Array {
  return value instanceof Uint8Array ? value : fail(`${what} is not a byte string`);
}

function readItem(value: unknown, namespace: string): ReadIssuerSignedItem {
  const inner = embeddedBytes(value) ?? fail(`an item of ${namespace} is not #6.24(bstr)`);
  const item = asMap(decodeCbor(inner), `an item of ${namespace}`);
  const digestID = item.get('digestID');
  const elementIdentifier = item.get('elementIdentifier');
  if (typeof digestID !== 'number' || typeof elementIdentifier !== 'string') fail(`an item of ${namespace} lacks digestID or elementIdentifier`);
  return {
    digestID,
    random: asBytes(item.get('random'), 'random'),
    elementIdentifier,
    elementValue: item.get('elementValue'),
    // The tag header around the same inner bytes: the encoding is deterministic for a bstr.
    itemBytes: encodeCbor(embeddedCbor(inner)),
  };
}

/** Reads a decoded IssuerSigned map (e.g. a DeviceResponse document's `issuerSigned`). */
export function readIssuerSignedValue(value: unknown): ReadIssuerSigned {
  const issuerSigned = asMap(value, 'IssuerSigned');
  const nameSpaces = new Map<string, ReadIssuerSignedItem[]>();
  for (const [namespace, items] of asMap(issuerSigned.get('nameSpaces'), 'nameSpaces')) {
    if (typeof namespace !== 'string' || !Array.isArray(items)) fail('nameSpaces is not namespace → [items]');
    nameSpaces.set(
      namespace,
      items.map((item: unknown) => readItem(item, namespace)),
    );
  }
  const sign1 = issuerSigned.get('issuerAuth');
  if (!Array.isArray(sign1) || sign1.length !== 4) fail('issuerAuth is not a COSE_Sign1 array');
  const [protectedHeader, unprotected, payload, signature] = sign1 as unknown[];
  const unprotectedParameters = asMap(unprotected, 'the unprotected header');
  const x5chain = unprotectedParameters.get(33);
  const certificateChain = (Array.isArray(x5chain) ? x5chain : x5chain === undefined ? [] : [x5chain]).map((der: unknown) => asBytes(der, 'x5chain'));
  const payloadBytes = asBytes(payload, 'the payload');
  const msoBytes = embeddedBytes(decodeCbor(payloadBytes)) ?? fail('the payload is not MobileSecurityObjectBytes (#6.24)');
  return {
    nameSpaces,
    issuerAuth: {
      protectedHeader: asBytes(protectedHeader, 'the protected header'),
      protectedParameters: asMap(decodeCbor(asBytes(protectedHeader, 'the protected header')), 'the protected header'),
      unprotectedParameters,
      payload: payloadBytes,
      signature: asBytes(signature, 'the signature'),
      mso: asMap(decodeCbor(msoBytes), 'the MobileSecurityObject'),
      certificateChain,
    },
  };
}

/** Reads the `credential` of an mso_mdoc Credential Response: base64url of the CBOR IssuerSigned. */
export function readIssuerSigned(credential: string): ReadIssuerSigned {
  return readIssuerSignedValue(decodeCbor(Buffer.from(credential, 'base64url')));
}

/** Data elements whose SHA-256 digest is not the one the MSO holds for their namespace and digestID (§9.3.1). */
export function elementsWithWrongDigest(issuerSigned: ReadIssuerSigned): string[] {
  const valueDigests = asMap(issuerSigned.issuerAuth.mso.get('valueDigests'), 'valueDigests');
  const wrong: string[] = [];
  for (const [namespace, items] of issuerSigned.nameSpaces) {
    const digests = valueDigests.get(namespace);
    for (const item of items) {
      const expected = digests instanceof Map ? digests.get(item.digestID) : undefined;
      const actual = createHash('sha256').update(item.itemBytes).digest();
      if (!(expected instanceof Uint8Array) || !actual.equals(expected)) wrong.push(`${namespace}/${item.elementIdentifier}`);
    }
  }
  return wrong;
}

/** Checks the IssuerAuth ES256 signature with the x5chain leaf's public key (certificate chain checks are the caller's). */
export function issuerAuthSignatureValid(issuerAuth: ReadIssuerAuth): boolean {
  const leaf = issuerAuth.certificateChain[0];
  if (!leaf || issuerAuth.protectedParameters.get(1) !== -7) return false;
  const key = new X509Certificate(leaf).publicKey;
  return verify('sha256', coseSign1SigStructure(issuerAuth.protectedHeader, issuerAuth.payload), { key, dsaEncoding: 'ieee-p1363' }, issuerAuth.signature);
}
