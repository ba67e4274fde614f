import { createHash, type X509Certificate } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, type CryptoKey } from 'jose';
import { createJwtVcJsonFormat } from '../../../crypto/credential-formats/jwt-vc-json';
import type { CredentialSigner, IssuanceConfiguration, IssueCredentialInput } from '../../../domain/credential-formats/format';
import type { PublicJwk } from '../../../domain/schemas/common';
import { createHolderKey, createTestCredentialSigning, verifyX5cChain } from '../../support/credential-signing';

const issuer = 'https://issuer.example';
const format = createJwtVcJsonFormat({ issuer });
const configuration: IssuanceConfiguration = {
  id: 'university_degree_jwt',
  format: 'jwt_vc_json',
  parameters: { credential_definition: { type: ['VerifiableCredential', 'UniversityDegreeCredential'] } },
};
const claims = { given_name: 'Erika', family_name: 'Mustermann', degree: { type: 'BachelorDegree', name: 'Bachelor of Science' } };
const issuedAt = new Date('2026-12-01T10:00:00.000Z');
const validity = { issuedAt, validFrom: issuedAt, validUntil: new Date('2027-12-01T10:00:00.000Z') };
const status = { uri: 'https://issuer.example/status-lists/3', index: 1234 };

let signer: CredentialSigner;
let trustAnchor: X509Certificate;
let holder: { publicJwk: PublicJwk; privateKey: CryptoKey };

beforeAll(async () => {
  ({ signer, trustAnchor } = await createTestCredentialSigning());
  holder = await createHolderKey();
});

function input(overrides: Partial<IssueCredentialInput> = {}): IssueCredentialInput {
  return { configuration, claims, holderKey: holder.publicJwk, validity, status, signer, ...overrides };
}

describe('jwt_vc_json credential format (VCDM 2.0 as a JWT)', () => {
  it('signs a vc+jwt that jose verifies with the x5c leaf key, chained to the signing CA, and whose every member is as issued', async () => {
    const { credential } = await format.issue(input());
    const header = decodeProtectedHeader(credential);
    expect(header).toEqual({ alg: 'ES256', typ: 'vc+jwt', x5c: signer.certificateChain });
    const leafKey = verifyX5cChain(header.x5c, trustAnchor);
    const { payload } = await jwtVerify(credential, leafKey, {
      algorithms: ['ES256'],
      typ: 'vc+jwt',
      issuer,
      currentDate: new Date('2027-01-01T00:00:00Z'),
    });
    expect(payload).toEqual({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential', 'UniversityDegreeCredential'],
      issuer,
      validFrom: '2026-12-01T10:00:00Z',
      validUntil: '2027-12-01T10:00:00Z',
      credentialSubject: claims,
      iss: issuer,
      iat: issuedAt.getTime() / 1000,
      nbf: issuedAt.getTime() / 1000,
      exp: validity.validUntil.getTime() / 1000,
      cnf: { jwk: { kty: 'EC', crv: 'P-256', x: holder.publicJwk.x, y: holder.publicJwk.y, alg: 'ES256' } },
      status: { status_list: { idx: 1234, uri: 'https://issuer.example/status-lists/3' } },
    });
  });

  it('is refused by a verifier after validUntil and before validFrom', async () => {
    const { credential } = await format.issue(input());
    const leafKey = verifyX5cChain(decodeProtectedHeader(credential).x5c, trustAnchor);
    await expect(jwtVerify(credential, leafKey, { currentDate: new Date('2027-12-01T10:00:01Z') })).rejects.toThrow('"exp" claim timestamp check failed');
    await expect(jwtVerify(credential, leafKey, { currentDate: new Date('2026-12-01T09:59:00Z') })).rejects.toThrow('"nbf" claim timestamp check failed');
  });

  it('names the credential by the base64url SHA-256 of the JWT and expires it at validUntil', async () => {
    const issued = await format.issue(input());
    expect(issued.digest).toBe(createHash('sha256').update(issued.credential).digest('base64url'));
    expect(issued.expiresAt).toEqual(validity.validUntil);
  });

  it('refuses a configuration without credential_definition.type or without VerifiableCredential, a credentialSubject id, and a private holder key', async () => {
    await expect(format.issue(input({ configuration: { ...configuration, parameters: {} } }))).rejects.toThrow('no credential_definition.type');
    await expect(
      format.issue(input({ configuration: { ...configuration, parameters: { credential_definition: { type: ['UniversityDegreeCredential'] } } } })),
    ).rejects.toThrow('must include VerifiableCredential');
    await expect(format.issue(input({ claims: { ...claims, id: 'did:example:123' } }))).rejects.toThrow('credentialSubject.id');
    await expect(format.issue(input({ holderKey: { ...holder.publicJwk, d: 'secret' } }))).rejects.toThrow('private member d');
  });
});
