import { createHash, X509Certificate } from 'node:crypto';
import { Tag } from 'cbor-x';
import { elementsWithWrongDigest, issuerAuthSignatureValid, readIssuerSigned } from '../crypto/credential-formats/mdoc-read';
import { embeddedBytes } from '../crypto/credential-formats/mdoc-cbor';
import type { PublicJwk } from '../domain/schemas/common';

/**
 * Issued credentials as text for a human reading `npm run issue-example`: what each format
 * carries, decoded, without verifying more than a reader can see at a glance (digests, the mdoc
 * issuer signature, which presentment key a credential is bound to). The tests verify
 * credentials with independent code; this only shows them.
 */
export type ShownFormat = 'dc+sd-jwt' | 'jwt_vc_json' | 'mso_mdoc';

const indent = (text: string, by = '    ') =>
  text
    .split('\n')
    .map((line) => `${by}${line}`)
    .join('\n');
const pretty = (value: unknown) => JSON.stringify(value, null, 2);
const base64urlJson = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

/** The signer certificate a JOSE header's x5c names first (RFC 7515 §4.1.6), and the times of a JWT payload as dates. */
function jwtFacts(header: Record<string, unknown>, payload: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const leaf = Array.isArray(header.x5c) && typeof header.x5c[0] === 'string' ? new X509Certificate(Buffer.from(header.x5c[0], 'base64')) : undefined;
  if (leaf) lines.push(`x5c[0] subject ${leaf.subject.replaceAll('\n', ', ')}; issuer ${leaf.issuer.replaceAll('\n', ', ')}`);
  const times = (['iat', 'nbf', 'exp'] as const).filter((claim) => typeof payload[claim] === 'number');
  if (times.length > 0) lines.push(times.map((claim) => `${claim} ${new Date((payload[claim] as number) * 1000).toISOString()}`).join(', '));
  return lines;
}

/** "presentment key 2" when `x` is that key's x coordinate (S2S §Get Credential: one credential per key). */
function boundKey(x: unknown, presentmentKeys: PublicJwk[]): string {
  const index = presentmentKeys.findIndex((key) => key.x !== undefined && key.x === x);
  return index < 0 ? 'NONE of the presentment keys of this get' : `presentment key ${index + 1} of the get`;
}

/** Every digest an SD-JWT payload lists: `_sd` members and `{"...": digest}` array entries (SD-JWT §4.2.4). */
function listedDigests(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const element of value) listedDigests(element, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, member] of Object.entries(value)) {
      if (key === '_sd' && Array.isArray(member)) member.forEach((digest) => typeof digest === 'string' && into.add(digest));
      else if (key === '...' && typeof member === 'string') into.add(member);
      else listedDigests(member, into);
    }
  }
  return into;
}

/** SD-JWT VC (RFC 9901 §4): the issuer-signed JWT's header and payload, then every disclosure. */
export function describeSdJwtVc(credential: string, presentmentKeys: PublicJwk[]): string {
  const [issuerJwt = '', ...rest] = credential.split('~');
  const [header = '', payload = ''] = issuerJwt.split('.');
  const signed = base64urlJson(payload);
  const protectedHeader = base64urlJson(header);
  const digests = listedDigests(signed);
  const disclosures = rest.filter((part) => part !== '');
  const lines = [
    'issuer JWT header:',
    indent(pretty(protectedHeader)),
    'issuer JWT payload (as signed: selectively disclosable claims are digests in _sd):',
    indent(pretty(signed)),
    ...jwtFacts(protectedHeader, signed),
    `bound to (cnf.jwk): ${boundKey((signed.cnf as { jwk?: { x?: unknown } } | undefined)?.jwk?.x, presentmentKeys)}`,
    `disclosures (${disclosures.length}):`,
  ];
  for (const [index, encoded] of disclosures.entries()) {
    const array = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as unknown[];
    // SD-JWT §4.2.1: [salt, name, value] for an object property, [salt, value] for an array element.
    const [salt, name, value] = array.length === 3 ? array : [array[0], '(array element)', array[1]];
    const digest = createHash('sha256').update(encoded, 'ascii').digest('base64url');
    lines.push(
      `  ${index + 1}. ${String(name)} = ${JSON.stringify(value)}`,
      `     salt ${String(salt)}; digest ${digest} ${digests.has(digest) ? '(listed in the payload)' : '(NOT listed in the payload)'}`,
    );
  }
  return lines.join('\n');
}

/** A JWT-secured VCDM 2.0 credential (jwt_vc_json): header and payload. */
export function describeVcdmJwt(credential: string, presentmentKeys: PublicJwk[]): string {
  const [header = '', payload = ''] = credential.split('.');
  const claims = base64urlJson(payload);
  const protectedHeader = base64urlJson(header);
  return [
    'JWT header:',
    indent(pretty(protectedHeader)),
    'JWT payload:',
    indent(pretty(claims)),
    ...jwtFacts(protectedHeader, claims),
    `bound to (cnf.jwk): ${boundKey((claims.cnf as { jwk?: { x?: unknown } } | undefined)?.jwk?.x, presentmentKeys)}`,
  ].join('\n');
}

/**
 * A CBOR value in diagnostic notation (RFC 8949 §8): maps `{k: v}`, byte strings `h'…'`, tags
 * `n(value)` (1004 full-date, 0 tdate, 24 embedded CBOR), so a reader sees what was encoded.
 * cbor-x hands tag 0 back as a Date: shown as the tdate it was (ISO 18013-5 §9.1.2.4: no fraction).
 */
function cborDiagnostic(value: unknown): string {
  if (value instanceof Map) return `{${[...value].map(([key, member]) => `${cborDiagnostic(key)}: ${cborDiagnostic(member)}`).join(', ')}}`;
  if (Array.isArray(value)) return `[${value.map(cborDiagnostic).join(', ')}]`;
  if (value instanceof Uint8Array)
    return value.length > 40 ? `h'${Buffer.from(value.subarray(0, 16)).toString('hex')}…' (${value.length} bytes)` : `h'${Buffer.from(value).toString('hex')}'`;
  if (value instanceof Date) return `0(${JSON.stringify(value.toISOString().replace(/\.\d{3}Z$/, 'Z'))})`;
  if (value instanceof Tag) {
    const inner = embeddedBytes(value);
    return inner ? `24(<< ${inner.length} bytes >>)` : `${value.tag}(${cborDiagnostic(value.value)})`;
  }
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined) return 'undefined';
  return JSON.stringify(value);
}

/** A map's members one per line, in diagnostic notation. */
function cborMembers(value: unknown): string {
  if (!(value instanceof Map)) return `    ${cborDiagnostic(value)}`;
  return [...value].map(([key, member]) => `    ${String(key)}: ${cborDiagnostic(member)}`).join('\n');
}

const coseKeyLabels = new Map<number, string>([
  [1, 'kty'],
  [-1, 'crv'],
  [-2, 'x'],
  [-3, 'y'],
]);

/** RFC 9052 §7 COSE_Key with EC2 members, shown with their names; x and y as base64url for comparison with JWKs. */
function coseKeyForDisplay(key: unknown): Record<string, unknown> {
  if (!(key instanceof Map)) return { value: cborDiagnostic(key) };
  return Object.fromEntries(
    [...key].map(([label, value]) => [
      coseKeyLabels.get(label as number) ?? String(label),
      value instanceof Uint8Array ? Buffer.from(value).toString('base64url') : typeof value === 'number' ? value : cborDiagnostic(value),
    ]),
  );
}

/** An ISO/IEC 18013-5 IssuerSigned (mso_mdoc): docType, each namespace's elements, the MSO's validity, status and device key, the signer. */
export function describeMdoc(credential: string, presentmentKeys: PublicJwk[]): string {
  const read = readIssuerSigned(credential);
  const mso = read.issuerAuth.mso;
  const lines = [`docType: ${String(mso.get('docType'))}`, `MSO version ${String(mso.get('version'))}, digestAlgorithm ${String(mso.get('digestAlgorithm'))}`];
  for (const [namespace, items] of read.nameSpaces) {
    lines.push(`namespace ${namespace} (${items.length} elements):`);
    for (const item of [...items].sort((a, b) => a.elementIdentifier.localeCompare(b.elementIdentifier))) {
      lines.push(`  ${item.elementIdentifier} = ${cborDiagnostic(item.elementValue)}   (digestID ${item.digestID})`);
    }
  }
  const wrong = elementsWithWrongDigest(read);
  lines.push(wrong.length === 0 ? 'every element matches its digest in the MSO' : `elements whose digest does NOT match: ${wrong.join(', ')}`);
  lines.push('MSO validityInfo:', cborMembers(mso.get('validityInfo')));
  lines.push('MSO status:', cborMembers(mso.get('status') ?? '(none)'));
  const deviceKey = coseKeyForDisplay((mso.get('deviceKeyInfo') as Map<unknown, unknown> | undefined)?.get('deviceKey'));
  lines.push(
    'MSO deviceKeyInfo.deviceKey (COSE_Key; kty 2 = EC2, crv 1 = P-256):',
    indent(pretty(deviceKey)),
    `bound to: ${boundKey(deviceKey.x, presentmentKeys)}`,
  );
  const [leaf, ...others] = read.issuerAuth.certificateChain.map((der) => new X509Certificate(der));
  lines.push(
    `issuerAuth: alg ${String(read.issuerAuth.protectedParameters.get(1))} (-7 = ES256); signature ${issuerAuthSignatureValid(read.issuerAuth) ? 'verifies' : 'does NOT verify'} with the x5chain leaf`,
    `x5chain (${read.issuerAuth.certificateChain.length} certificate${read.issuerAuth.certificateChain.length === 1 ? '' : 's'}):`,
    ...(leaf
      ? [`  subject ${leaf.subject.replaceAll('\n', ', ')}`, `  issuer  ${leaf.issuer.replaceAll('\n', ', ')}`, `  valid   ${leaf.validFrom} → ${leaf.validTo}`]
      : []),
    ...others.map((certificate) => `  then: ${certificate.subject.replaceAll('\n', ', ')}`),
  );
  return lines.join('\n');
}

export function describeCredential(format: ShownFormat, credential: string, presentmentKeys: PublicJwk[]): string {
  if (format === 'dc+sd-jwt') return describeSdJwtVc(credential, presentmentKeys);
  if (format === 'jwt_vc_json') return describeVcdmJwt(credential, presentmentKeys);
  return describeMdoc(credential, presentmentKeys);
}
