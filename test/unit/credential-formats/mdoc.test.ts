import { createPrivateKey, generateKeyPairSync, sign, X509Certificate, type JsonWebKey } from 'node:crypto';
import type * as Mdl from '@auth0/mdl';
import type { CredentialSigner, IssueCredentialInput } from '../../../domain/credential-formats/format';
import type { PublicJwk } from '../../../domain/schemas/common';
import { createMdocFormat } from '../../../crypto/credential-formats/mdoc';
import { decodeCbor, embeddedCbor, encodeCbor, fullDateText, type Tag } from '../../../crypto/credential-formats/mdoc-cbor';
import { elementsWithWrongDigest, issuerAuthSignatureValid, readIssuerSigned } from '../../../crypto/credential-formats/mdoc-read';
import { createMdocIssuerPki, mdocDocumentSignerKeyPurpose, type MdocIssuerPki } from '../../../dev/dev-pki';

/**
 * The mso_mdoc format issues an mDL that an independent implementation accepts: @auth0/mdl
 * checks the issuer signature through x5chain up to the development IACA, every digest, the
 * validity and the device signature of a presentation made with the holder's key.
 * @auth0/mdl is loaded in its own module registry: it registers cbor-x tag handlers for the
 * whole registry, and it should read our bytes with its own CBOR instance, not ours.
 */
let mdl: typeof Mdl;
beforeAll(async () => {
  await jest.isolateModulesAsync(async () => {
    mdl = await import('@auth0/mdl');
  });
});

const mdlDocType = 'org.iso.18013.5.1.mDL';
const mdlNamespace = 'org.iso.18013.5.1';
const day = 24 * 3600 * 1000;

/** A test signer over a PEM key (crypto/credential-signer.ts has the production one): raw r || s. */
function localSigner(pki: MdocIssuerPki): CredentialSigner & { calls: Uint8Array[] } {
  const key = createPrivateKey(pki.documentSigner.privateKeyPem);
  const calls: Uint8Array[] = [];
  return {
    alg: 'ES256',
    certificateChain: [new X509Certificate(pki.documentSigner.certificatePem).raw.toString('base64')],
    calls,
    sign: (data) => {
      calls.push(data);
      return Promise.resolve(new Uint8Array(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })));
    },
  };
}

function holderKeyPair(): { publicJwk: PublicJwk; privateJwk: JsonWebKey } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { publicJwk: { ...(publicKey.export({ format: 'jwk' }) as PublicJwk), alg: 'ES256' }, privateJwk: privateKey.export({ format: 'jwk' }) };
}

/** 1×1 JPEG-like bytes: the portrait is opaque bytes to the issuer. */
const portrait = Buffer.from('ffd8ffe000104a46494600010101004800480000ffd9', 'hex');

const mdlClaims = {
  [mdlNamespace]: {
    family_name: 'Mustermann',
    given_name: 'Erika',
    birth_date: '1984-08-12',
    document_number: 'D0123456789',
    portrait: portrait.toString('base64url'),
    driving_privileges: [
      { vehicle_category_code: 'B', issue_date: '2002-05-01', expiry_date: '2032-05-01' },
      { vehicle_category_code: 'AM', issue_date: '2002-05-01', expiry_date: '2032-05-01' },
    ],
    issue_date: '2026-11-01',
    expiry_date: '2036-10-31',
    issuing_country: 'ZZ',
    issuing_authority: 'Development Issuing Authority',
    age_over_18: true,
  },
};

function issueInput(pki: MdocIssuerPki, holderKey: PublicJwk, signer: CredentialSigner = localSigner(pki)): IssueCredentialInput {
  const now = new Date();
  return {
    configuration: { id: 'org.iso.18013.5.1.mDL', format: 'mso_mdoc', parameters: { doctype: mdlDocType } },
    claims: mdlClaims,
    holderKey,
    validity: { issuedAt: now, validFrom: now, validUntil: new Date(now.getTime() + 365 * day) },
    status: { uri: 'https://issuer.example/status-lists/7', index: 4711 },
    signer,
  };
}

/** A DeviceResponse-shaped mdoc around our IssuerSigned, as a wallet stores it for presentations. */
function walletMdoc(credential: string): Uint8Array {
  const issuerSigned = decodeCbor(Buffer.from(credential, 'base64url'));
  const document = new Map<string, unknown>([
    ['docType', mdlDocType],
    ['issuerSigned', issuerSigned],
  ]);
  return encodeCbor(
    new Map<string, unknown>([
      ['version', '1.0'],
      ['documents', [document]],
      ['status', 0],
    ]),
  );
}

const requestedElements = [
  'family_name',
  'given_name',
  'birth_date',
  'document_number',
  'portrait',
  'driving_privileges',
  'issue_date',
  'expiry_date',
  'issuing_country',
];
/** ISO 18013-5 §9.1.5.1 SessionTranscriptBytes = #6.24(bstr .cbor SessionTranscript); a test handover. */
const sessionTranscriptBytes = Buffer.from(encodeCbor(embeddedCbor(encodeCbor([null, null, ['unit-test-handover']]))));

/** The holder's presentation: disclose the requested elements and sign DeviceAuthentication with `devicePrivateJwk`. */
async function presentation(mdocBytes: Uint8Array, devicePrivateJwk: JsonWebKey): Promise<Uint8Array> {
  const presentationDefinition = {
    id: 'mdl-unit-test',
    input_descriptors: [
      {
        id: mdlDocType,
        format: { mso_mdoc: { alg: ['ES256'] } },
        constraints: {
          limit_disclosure: 'required',
          fields: requestedElements.map((element) => ({ path: [`$['${mdlNamespace}']['${element}']`], intent_to_retain: false })),
        },
      },
    ],
  };
  const response = await mdl.DeviceResponse.from(mdl.parse(mdocBytes))
    .usingPresentationDefinition(presentationDefinition)
    .usingSessionTranscriptBytes(sessionTranscriptBytes)
    .authenticateWithSignature(devicePrivateJwk as Parameters<Mdl.DeviceResponse['authenticateWithSignature']>[0], 'ES256')
    .sign();
  return response.encode();
}

type Check = Parameters<Mdl.Verifier['verify']>[1] extends infer O ? (O extends { onCheck?: (item: infer I, ...rest: never[]) => void } ? I : never) : never;

/** Runs @auth0/mdl's verifier, collecting every assessment instead of stopping at the first failure. */
async function verifyWithMdl(deviceResponse: Uint8Array, trustedIacaPem: string): Promise<Check[]> {
  const checks: Check[] = [];
  await new mdl.Verifier([trustedIacaPem]).verify(deviceResponse, {
    encodedSessionTranscript: sessionTranscriptBytes,
    onCheck: (item) => {
      checks.push(item);
    },
  });
  return checks;
}

const failed = (checks: Check[]) => checks.filter((check) => check.status === 'FAILED').map((check) => check.id);

describe('mso_mdoc credential format (crypto/credential-formats/mdoc.ts)', () => {
  let pki: MdocIssuerPki;
  let holder: ReturnType<typeof holderKeyPair>;
  beforeAll(async () => {
    pki = await createMdocIssuerPki();
    holder = holderKeyPair();
  });

  it('issues an mDL that @auth0/mdl verifies: IACA-rooted x5chain, issuer signature, digests, validity and the holder-signed presentation', async () => {
    const issued = await createMdocFormat().issue(issueInput(pki, holder.publicJwk));
    const checks = await verifyWithMdl(await presentation(walletMdoc(issued.credential), holder.privateJwk), pki.iaca.certificatePem);
    expect(failed(checks)).toEqual([]);
    const passed = new Set(checks.filter((check) => check.status === 'PASSED').map((check) => check.id));
    for (const id of [
      'ISSUER_CERTIFICATE_VALIDITY',
      'ISSUER_SIGNATURE_VALIDITY',
      'MSO_SIGNED_DATE_WITHIN_CERTIFICATE_VALIDITY',
      'MSO_VALIDITY_AT_VERIFICATION_TIME',
      'ISSUER_SUBJECT_COUNTRY_NAME_PRESENCE',
      'DEVICE_SIGNATURE_VALIDITY',
      'ATTRIBUTE_DIGEST_MATCH',
      'ISSUING_COUNTRY_MATCHES_CERTIFICATE',
    ]) {
      expect(passed).toContain(id);
    }
    expect(checks.filter((check) => check.id === 'ATTRIBUTE_DIGEST_MATCH')).toHaveLength(requestedElements.length);
  });

  it('discloses the values @auth0/mdl reads back: text, full-dates, the portrait bytes and the driving privileges', async () => {
    const issued = await createMdocFormat().issue(issueInput(pki, holder.publicJwk));
    const verified = await new mdl.Verifier([pki.iaca.certificatePem]).verify(await presentation(walletMdoc(issued.credential), holder.privateJwk), {
      encodedSessionTranscript: sessionTranscriptBytes,
    });
    const [document] = verified.documents;
    const values = Object.fromEntries(
      (document?.issuerSigned.nameSpaces[mdlNamespace] ?? []).map((item) => [item.elementIdentifier, item.elementValue as unknown]),
    );
    expect(values.family_name).toBe('Mustermann');
    expect(values.document_number).toBe('D0123456789');
    expect((values.birth_date as Date).toISOString().slice(0, 10)).toBe('1984-08-12');
    expect(Buffer.from(values.portrait as Uint8Array).equals(portrait)).toBe(true);
    expect(values.driving_privileges).toHaveLength(2);
  });

  it('binds the credential to the holder key: a presentation signed with another key fails the device signature', async () => {
    const issued = await createMdocFormat().issue(issueInput(pki, holder.publicJwk));
    const other = holderKeyPair();
    const checks = await verifyWithMdl(await presentation(walletMdoc(issued.credential), other.privateJwk), pki.iaca.certificatePem);
    expect(failed(checks)).toEqual(['DEVICE_SIGNATURE_VALIDITY']);
  });

  it('is rejected by a verifier that trusts another IACA', async () => {
    const issued = await createMdocFormat().issue(issueInput(pki, holder.publicJwk));
    const otherIaca = await createMdocIssuerPki();
    const checks = await verifyWithMdl(await presentation(walletMdoc(issued.credential), holder.privateJwk), otherIaca.iaca.certificatePem);
    expect(failed(checks)).toEqual(['ISSUER_CERTIFICATE_VALIDITY']);
  });

  it('fails the digest check when a data element is changed after issuance', async () => {
    const issued = await createMdocFormat().issue(issueInput(pki, holder.publicJwk));
    const issuerSigned = decodeCbor(Buffer.from(issued.credential, 'base64url')) as Map<string, unknown>;
    const items = (issuerSigned.get('nameSpaces') as Map<string, Tag[]>).get(mdlNamespace) ?? [];
    const tampered = items.map((tagged) => {
      const item = decodeCbor(tagged.value as Uint8Array) as Map<string, unknown>;
      if (item.get('elementIdentifier') === 'family_name') item.set('elementValue', 'Musterfrau');
      return embeddedCbor(encodeCbor(item));
    });
    (issuerSigned.get('nameSpaces') as Map<string, Tag[]>).set(mdlNamespace, tampered);
    const tamperedCredential = Buffer.from(encodeCbor(issuerSigned)).toString('base64url');
    const checks = await verifyWithMdl(await presentation(walletMdoc(tamperedCredential), holder.privateJwk), pki.iaca.certificatePem);
    expect(failed(checks)).toEqual(['ATTRIBUTE_DIGEST_MATCH']);
  });

  it('writes the MSO as ISO 18013-5 and the status list draft want: version, SHA-256, docType, deviceKey, tdate validity, status_list', async () => {
    const input = issueInput(pki, holder.publicJwk);
    const issued = await createMdocFormat().issue(input);
    const { issuerAuth, nameSpaces } = readIssuerSigned(issued.credential);
    const { mso } = issuerAuth;
    expect(mso.get('version')).toBe('1.0');
    expect(mso.get('digestAlgorithm')).toBe('SHA-256');
    expect(mso.get('docType')).toBe(mdlDocType);
    expect(mso.get('status')).toEqual(
      new Map([
        [
          'status_list',
          new Map<string, unknown>([
            ['idx', 4711],
            ['uri', 'https://issuer.example/status-lists/7'],
          ]),
        ],
      ]),
    );
    const deviceKey = (mso.get('deviceKeyInfo') as Map<string, Map<number, unknown>>).get('deviceKey');
    expect(deviceKey?.get(1)).toBe(2);
    expect(deviceKey?.get(-1)).toBe(1);
    expect(Buffer.from(deviceKey?.get(-2) as Uint8Array).toString('base64url')).toBe(holder.publicJwk.x);
    expect(Buffer.from(deviceKey?.get(-3) as Uint8Array).toString('base64url')).toBe(holder.publicJwk.y);
    const validity = mso.get('validityInfo') as Map<string, Date>;
    const wholeSecond = (date: Date) => Math.floor(date.getTime() / 1000) * 1000;
    expect(validity.get('signed')?.getTime()).toBe(wholeSecond(input.validity.issuedAt));
    expect(validity.get('validFrom')?.getTime()).toBe(wholeSecond(input.validity.validFrom));
    expect(validity.get('validUntil')?.getTime()).toBe(wholeSecond(input.validity.validUntil));
    expect(issued.expiresAt.getTime()).toBe(wholeSecond(input.validity.validUntil));
    expect(elementsWithWrongDigest(readIssuerSigned(issued.credential))).toEqual([]);
    expect([...nameSpaces.keys()]).toEqual([mdlNamespace]);
  });

  it('salts every data element with at least 16 random bytes and gives each a unique, non-sequential digestID', async () => {
    const first = readIssuerSigned((await createMdocFormat().issue(issueInput(pki, holder.publicJwk))).credential);
    const second = readIssuerSigned((await createMdocFormat().issue(issueInput(pki, holder.publicJwk))).credential);
    const items = first.nameSpaces.get(mdlNamespace) ?? [];
    expect(items).toHaveLength(Object.keys(mdlClaims[mdlNamespace]).length);
    for (const item of items) expect(item.random.length).toBeGreaterThanOrEqual(16);
    expect(new Set(items.map((item) => item.digestID)).size).toBe(items.length);
    const ids = items.map((item) => item.digestID);
    expect(ids).not.toEqual(ids.map((_, position) => position));
    const salts = (issuerSigned: typeof first) => (issuerSigned.nameSpaces.get(mdlNamespace) ?? []).map((item) => Buffer.from(item.random).toString('hex'));
    expect(salts(first).filter((salt) => salts(second).includes(salt))).toEqual([]);
  });

  it('encodes ISO 18013-5 types: full-dates as tag 1004 (also in driving_privileges), the portrait as a byte string', async () => {
    const { nameSpaces } = readIssuerSigned((await createMdocFormat().issue(issueInput(pki, holder.publicJwk))).credential);
    const values = new Map((nameSpaces.get(mdlNamespace) ?? []).map((item) => [item.elementIdentifier, item.elementValue]));
    expect(fullDateText(values.get('birth_date'))).toBe('1984-08-12');
    expect(fullDateText(values.get('issue_date'))).toBe('2026-11-01');
    expect(fullDateText(values.get('expiry_date'))).toBe('2036-10-31');
    expect(values.get('portrait')).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(values.get('portrait') as Uint8Array).equals(portrait)).toBe(true);
    const [privilege] = values.get('driving_privileges') as Map<string, unknown>[];
    expect(fullDateText(privilege?.get('issue_date'))).toBe('2002-05-01');
    expect(values.get('family_name')).toBe('Mustermann');
    expect(values.get('age_over_18')).toBe(true);
  });

  it('signs only through the injected signer: one COSE Sig_structure, ES256 (-7) protected, the document signer as x5chain', async () => {
    const signer = localSigner(pki);
    const issued = await createMdocFormat().issue(issueInput(pki, holder.publicJwk, signer));
    const { issuerAuth } = readIssuerSigned(issued.credential);
    expect(signer.calls).toHaveLength(1);
    const sigStructure = decodeCbor(signer.calls[0] ?? new Uint8Array()) as unknown[];
    expect(sigStructure[0]).toBe('Signature1');
    expect(Buffer.from(sigStructure[3] as Uint8Array).equals(Buffer.from(issuerAuth.payload))).toBe(true);
    expect(issuerAuth.protectedParameters).toEqual(new Map([[1, -7]]));
    expect(issuerAuth.certificateChain.map((der) => Buffer.from(der).toString('base64'))).toEqual(signer.certificateChain);
    expect(issuerAuthSignatureValid(issuerAuth)).toBe(true);
  });

  it('refuses what it cannot issue: no doctype, a non-date full-date claim, a DER signature instead of r || s', async () => {
    const format = createMdocFormat();
    await expect(format.issue({ ...issueInput(pki, holder.publicJwk), configuration: { id: 'x', format: 'mso_mdoc', parameters: {} } })).rejects.toThrow(
      /no doctype/,
    );
    await expect(format.issue({ ...issueInput(pki, holder.publicJwk), claims: { [mdlNamespace]: { birth_date: '12.08.1984' } } })).rejects.toThrow(/full-date/);
    const key = createPrivateKey(pki.documentSigner.privateKeyPem);
    const derSigner: CredentialSigner = { ...localSigner(pki), sign: (data) => Promise.resolve(new Uint8Array(sign('sha256', data, key))) };
    await expect(format.issue(issueInput(pki, holder.publicJwk, derSigner))).rejects.toThrow(/raw signature/);
  });
});

describe('development mdoc PKI (dev/dev-pki.ts createMdocIssuerPki)', () => {
  it('issues a document signer certificate after the ISO 18013-5 Annex B profile, chained to the IACA', async () => {
    const { iaca, documentSigner } = await createMdocIssuerPki();
    const root = new X509Certificate(iaca.certificatePem);
    const signer = new X509Certificate(documentSigner.certificatePem);
    expect(signer.verify(root.publicKey)).toBe(true);
    expect(root.ca).toBe(true);
    expect(signer.ca).toBe(false);
    expect(signer.keyUsage).toEqual([mdocDocumentSignerKeyPurpose]);
    expect(signer.subject).toMatch(/^C=ZZ$/m);
    expect(signer.issuer).toBe(root.subject);
    expect(root.subject).toMatch(/^C=ZZ$/m);
    const days = (certificate: X509Certificate) => (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / day;
    expect(days(signer)).toBeLessThanOrEqual(457);
    expect(days(root)).toBeLessThanOrEqual(20 * 365);
    expect(signer.toLegacyObject().ext_key_usage).toEqual([mdocDocumentSignerKeyPurpose]);
  });
});
