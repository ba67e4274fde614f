import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { decodeCbor, encodeCbor, cborValueFromJson, fullDateText } from '../../../crypto/credential-formats/mdoc-cbor';
import { elementsWithWrongDigest, issuerAuthSignatureValid, readIssuerSignedValue, type ReadIssuerSigned } from '../../../crypto/credential-formats/mdoc-read';

/**
 * Known answers from public specifications (test/fixtures/credential-vectors/README.md): the
 * ISO/IEC 18013-5 Annex D mDL and RFC 7049 Appendix A, read with the CBOR settings and the
 * IssuerSigned reader that the mso_mdoc format uses. No @auth0/mdl here: it registers its
 * own cbor-x tag decoders for the whole module registry.
 */
const vectorsPath = path.resolve(__dirname, '../../fixtures/credential-vectors');

interface AnnexD {
  device_response_hex: string;
  ds_cert_hex: string;
  iaca_cert_hex: string;
  static_device_key: { x: string; y: string };
  portrait_hex: string;
  doc_type: string;
  validity: { signed: string; validFrom: string; validUntil: string };
  expected_elements: Record<string, Record<string, unknown>>;
}

interface CborVector {
  hex: string;
  roundtrip: boolean;
  decoded?: unknown;
}

const readJson = <T>(name: string): T => JSON.parse(readFileSync(`${vectorsPath}/${name}`, 'utf8')) as T;

function asMap(value: unknown): Map<unknown, unknown> {
  if (!(value instanceof Map)) throw new Error('expected a CBOR map');
  return value;
}

describe('ISO/IEC 18013-5 Annex D mDL, read by the mso_mdoc reader', () => {
  const annexD = readJson<AnnexD>('mdoc-iso18013-5-annex-d.json');
  const deviceResponse = asMap(decodeCbor(Buffer.from(annexD.device_response_hex, 'hex')));
  const documents = deviceResponse.get('documents') as unknown[];
  const document = asMap(documents[0]);
  let issuerSigned: ReadIssuerSigned;
  beforeAll(() => {
    issuerSigned = readIssuerSignedValue(document.get('issuerSigned'));
  });

  const elements = () => new Map((issuerSigned.nameSpaces.get('org.iso.18013.5.1') ?? []).map((item) => [item.elementIdentifier, item.elementValue]));

  it('finds the MSO of the example: version 1.0, SHA-256, the mDL docType and its validity', () => {
    const { mso } = issuerSigned.issuerAuth;
    expect(mso.get('version')).toBe('1.0');
    expect(mso.get('digestAlgorithm')).toBe('SHA-256');
    expect(mso.get('docType')).toBe(annexD.doc_type);
    const validity = asMap(mso.get('validityInfo'));
    expect((validity.get('signed') as Date).toISOString()).toBe(new Date(annexD.validity.signed).toISOString());
    expect((validity.get('validFrom') as Date).toISOString()).toBe(new Date(annexD.validity.validFrom).toISOString());
    expect((validity.get('validUntil') as Date).toISOString()).toBe(new Date(annexD.validity.validUntil).toISOString());
  });

  it('matches every data element digest of the example against the MSO valueDigests', () => {
    const items = [...issuerSigned.nameSpaces.values()].flat();
    expect(items.length).toBeGreaterThanOrEqual(6);
    expect(elementsWithWrongDigest(issuerSigned)).toEqual([]);
  });

  it('reports a data element whose bytes were changed after signing', () => {
    const [first] = issuerSigned.nameSpaces.get('org.iso.18013.5.1') ?? [];
    if (!first) throw new Error('no items');
    const tampered = { ...first, itemBytes: Uint8Array.from(first.itemBytes, (byte, i) => (i === first.itemBytes.length - 1 ? byte ^ 1 : byte)) };
    const altered: ReadIssuerSigned = { ...issuerSigned, nameSpaces: new Map([['org.iso.18013.5.1', [tampered]]]) };
    expect(elementsWithWrongDigest(altered)).toEqual([`org.iso.18013.5.1/${first.elementIdentifier}`]);
  });

  it('verifies the IssuerAuth signature with the x5chain document signer, which the IACA certificate issued', () => {
    const { issuerAuth } = issuerSigned;
    expect(Buffer.from(issuerAuth.certificateChain[0] ?? []).toString('hex')).toBe(annexD.ds_cert_hex);
    expect(issuerAuthSignatureValid(issuerAuth)).toBe(true);
    const documentSigner = new X509Certificate(Buffer.from(annexD.ds_cert_hex, 'hex'));
    const iaca = new X509Certificate(Buffer.from(annexD.iaca_cert_hex, 'hex'));
    expect(documentSigner.verify(iaca.publicKey)).toBe(true);
    const flipped = Uint8Array.from(issuerAuth.signature, (byte, i) => (i === 0 ? byte ^ 1 : byte));
    expect(issuerAuthSignatureValid({ ...issuerAuth, signature: flipped })).toBe(false);
  });

  it('reads the known data element values, full-dates as tag 1004 and the portrait as bytes', () => {
    const expected = annexD.expected_elements['org.iso.18013.5.1'] ?? {};
    const actual = elements();
    expect(actual.get('family_name')).toBe(expected.family_name);
    expect(actual.get('document_number')).toBe(expected.document_number);
    expect(`1004:${fullDateText(actual.get('issue_date')) ?? 'not a full-date'}`).toBe(expected.issue_date);
    expect(`1004:${fullDateText(actual.get('expiry_date')) ?? 'not a full-date'}`).toBe(expected.expiry_date);
    expect(Buffer.from(actual.get('portrait') as Uint8Array).toString('hex')).toBe(annexD.portrait_hex);
    const privileges = (actual.get('driving_privileges') as unknown[]).map((entry) => {
      const privilege = asMap(entry);
      return {
        vehicle_category_code: privilege.get('vehicle_category_code'),
        issue_date: `1004:${fullDateText(privilege.get('issue_date')) ?? ''}`,
        expiry_date: `1004:${fullDateText(privilege.get('expiry_date')) ?? ''}`,
      };
    });
    expect(privileges).toEqual(expected.driving_privileges);
  });

  it('reads the device key of the example as an EC2 P-256 COSE_Key', () => {
    const deviceKey = asMap(asMap(issuerSigned.issuerAuth.mso.get('deviceKeyInfo')).get('deviceKey'));
    expect(deviceKey.get(1)).toBe(2);
    expect(deviceKey.get(-1)).toBe(1);
    expect(Buffer.from(deviceKey.get(-2) as Uint8Array).toString('hex')).toBe(annexD.static_device_key.x);
    expect(Buffer.from(deviceKey.get(-3) as Uint8Array).toString('hex')).toBe(annexD.static_device_key.y);
  });
});

describe('RFC 7049 Appendix A, with the mdoc CBOR settings', () => {
  const vectors = readJson<CborVector[]>('cbor-rfc7049-appendix-a.json');
  const plain = (value: unknown): unknown =>
    value instanceof Map
      ? Object.fromEntries([...value].map(([key, member]) => [String(key), plain(member)]))
      : Array.isArray(value)
        ? value.map(plain)
        : typeof value === 'bigint'
          ? Number(value)
          : value;
  const hasFloat = (value: unknown): boolean =>
    typeof value === 'number' ? !Number.isSafeInteger(value) : typeof value === 'object' && value !== null && Object.values(value).some(hasFloat);
  /** cbor-x does not read indefinite-length byte and text strings (RFC 8949 §3.2.3); the mdoc structures are definite. */
  const indefiniteString = (hex: string) => hex.startsWith('5f') || hex.startsWith('7f');

  it('decodes every example that has a JSON value to that value', () => {
    const withValue = vectors.filter((vector) => 'decoded' in vector && !indefiniteString(vector.hex));
    expect(withValue.length).toBeGreaterThan(50);
    for (const vector of withValue)
      expect({ hex: vector.hex, value: plain(decodeCbor(Buffer.from(vector.hex, 'hex'))) }).toEqual({ hex: vector.hex, value: vector.decoded });
  });

  it('rejects indefinite-length strings rather than misreading them', () => {
    for (const vector of vectors.filter((candidate) => indefiniteString(candidate.hex))) expect(() => decodeCbor(Buffer.from(vector.hex, 'hex'))).toThrow();
  });

  it('encodes integers, text, arrays and maps of the round-trip examples to the same bytes (preferred serialization)', () => {
    // JSON cannot say float, bignum or indefinite length: those examples have other encodings of their value.
    const notJsonShaped = (hex: string) => /^(f9|fa|fb|c2|c3)/.test(hex) || /9f|bf|5f|7f/.test(hex);
    const exact = vectors.filter((vector) => vector.roundtrip && 'decoded' in vector && !hasFloat(vector.decoded) && !notJsonShaped(vector.hex));
    expect(exact.length).toBeGreaterThan(30);
    for (const vector of exact)
      expect({ hex: Buffer.from(encodeCbor(cborValueFromJson(vector.decoded))).toString('hex'), value: vector.decoded }).toEqual({
        hex: vector.hex,
        value: vector.decoded,
      });
  });
});
