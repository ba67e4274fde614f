import { createHash, type X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';
import { compactVerify, decodeJwt, decodeProtectedHeader, exportJWK, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createSdJwtVcFormat } from '../../../crypto/credential-formats/sd-jwt-vc';
import { signCompactJws } from '../../../crypto/credential-formats/jose-credential';
import { verifySdJwtVcPresentation } from '../../../crypto/sd-jwt-vc-presentation';
import type { CredentialSigner, IssuanceConfiguration, IssueCredentialInput } from '../../../domain/credential-formats/format';
import type { PublicJwk } from '../../../domain/schemas/common';
import { createHolderKey, createTestCredentialSigning, verifyX5cChain } from '../../support/credential-signing';
import { decodeSdJwtByHand, sdHashOf, type HandDecodedSdJwt } from '../../support/sd-jwt-by-hand';

const issuer = 'https://issuer.example';
const vct = 'urn:eudi:pid:1';
const format = createSdJwtVcFormat({ issuer });

const configuration: IssuanceConfiguration = {
  id: 'pid_sd_jwt',
  format: 'dc+sd-jwt',
  parameters: { vct },
  disclosable: [
    ['given_name'],
    ['family_name'],
    ['birthdate'],
    ['address', 'street_address'],
    ['address', 'locality'],
    ['nationalities', null],
    ['age_equal_or_over', '18'],
  ],
};
const claims = {
  given_name: 'Erika',
  family_name: 'Mustermann',
  birthdate: '1963-08-12',
  address: { street_address: 'Heidestraße 17', locality: 'Köln', country: 'DE' },
  nationalities: ['DE', 'FR'],
  age_equal_or_over: { '18': true },
  issuing_country: 'DE',
};
const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
const validity = { issuedAt, validFrom: issuedAt, validUntil: new Date(issuedAt.getTime() + 30 * 86_400_000) };

// The status list of the credentials below, served as a Status List Token (draft-ietf-oauth-status-list §5.1).
let server: Server;
let statusUri = '';
let revokedIndex: number | undefined;
let statusSigner: CredentialSigner;

let signer: CredentialSigner;
let trustAnchor: X509Certificate;
let holder: { publicJwk: PublicJwk; privateKey: CryptoKey };

async function statusListToken(): Promise<string> {
  const bytes = Buffer.alloc(16);
  if (revokedIndex !== undefined) bytes.writeUInt8(bytes.readUInt8(revokedIndex >> 3) | (1 << (revokedIndex & 7)), revokedIndex >> 3);
  const payload = { sub: statusUri, iat: Math.floor(Date.now() / 1000), status_list: { bits: 1, lst: deflateSync(bytes).toString('base64url') } };
  return signCompactJws({ alg: 'ES256', typ: 'statuslist+jwt', x5c: [...(statusSigner.certificateChain ?? [])] }, payload, statusSigner);
}

beforeAll(async () => {
  ({ signer, trustAnchor } = await createTestCredentialSigning());
  statusSigner = signer;
  holder = await createHolderKey();
  server = createServer((_req, res) => {
    void statusListToken().then((token) => {
      // connection: close, so no keep-alive socket outlives the test.
      res.writeHead(200, { 'content-type': 'application/statuslist+jwt', connection: 'close' });
      res.end(token);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  statusUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/status/1`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
beforeEach(() => {
  revokedIndex = undefined;
});

function input(overrides: Partial<IssueCredentialInput> = {}): IssueCredentialInput {
  return { configuration, claims, holderKey: holder.publicJwk, validity, status: { uri: statusUri, index: 42 }, signer, ...overrides };
}

/** The claims path of each disclosure: its parent path, and its name for an object property. */
function disclosedPaths(decoded: HandDecodedSdJwt): (string | number)[][] {
  return decoded.disclosures.map((d) => {
    const at = decoded.foundAt.get(d.digest) as (string | number)[];
    return d.name === undefined ? at : [...at, d.name];
  });
}

/** A holder's presentation (SD-JWT §4.3) of the disclosures `keep` selects, with a KB-JWT signed by the holder key. */
async function present(credential: string, keep: (d: HandDecodedSdJwt['disclosures'][number]) => boolean, kb: { aud: string; nonce: string }) {
  const decoded = decodeSdJwtByHand(credential);
  const withoutKb = `${[decoded.issuerJwt, ...decoded.disclosures.filter(keep).map((d) => d.encoded)].join('~')}~`;
  const kbJwt = await new SignJWT({ aud: kb.aud, nonce: kb.nonce, sd_hash: sdHashOf(withoutKb) })
    .setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' })
    .setIssuedAt()
    .sign(holder.privateKey);
  return `${withoutKb}${kbJwt}`;
}

describe('dc+sd-jwt credential format', () => {
  it('signs an issuer JWT that jose verifies with the x5c leaf key, chained to the signing CA; typ dc+sd-jwt, no root in x5c', async () => {
    const { credential } = await format.issue(input());
    const decoded = decodeSdJwtByHand(credential);
    expect(decoded.header).toEqual({ typ: 'dc+sd-jwt', alg: 'ES256', x5c: signer.certificateChain });
    const leafKey = verifyX5cChain(decoded.header.x5c, trustAnchor);
    await expect(compactVerify(decoded.issuerJwt, leafKey, { algorithms: ['ES256'] })).resolves.toBeDefined();
    expect((decoded.header.x5c as string[]).length).toBe(1);
    expect(credential.endsWith('~')).toBe(true);
  });

  it('makes every configured claim a disclosure whose SHA-256 is in _sd where the claim belongs, and signs the others in clear', async () => {
    const { credential } = await format.issue(input());
    const decoded = decodeSdJwtByHand(credential);
    expect(
      disclosedPaths(decoded)
        .map((p) => JSON.stringify(p))
        .sort(),
    ).toEqual(
      [
        ['given_name'],
        ['family_name'],
        ['birthdate'],
        ['address', 'street_address'],
        ['address', 'locality'],
        ['nationalities', 0],
        ['nationalities', 1],
        ['age_equal_or_over', '18'],
      ]
        .map((p) => JSON.stringify(p))
        .sort(),
    );
    const signed = JSON.stringify(decoded.signedPayload);
    for (const hidden of ['Erika', 'Mustermann', '1963-08-12', 'Heidestraße', 'Köln', '"FR"']) expect(signed).not.toContain(hidden);
    expect(decoded.signedPayload).toMatchObject({ _sd_alg: 'sha-256', issuing_country: 'DE', address: { country: 'DE' } });
    expect((decoded.signedPayload.nationalities as unknown[]).every((e) => typeof (e as Record<string, unknown>)['...'] === 'string')).toBe(true);
    // Salts are fresh per disclosure (SD-JWT §4.2.1: at least 128 bits).
    expect(new Set(decoded.disclosures.map((d) => d.salt)).size).toBe(decoded.disclosures.length);
    expect(Math.min(...decoded.disclosures.map((d) => Buffer.from(d.salt, 'base64url').length))).toBeGreaterThanOrEqual(16);
    expect(decoded.claims).toEqual({
      ...claims,
      iss: issuer,
      vct,
      iat: validity.issuedAt.getTime() / 1000,
      nbf: validity.validFrom.getTime() / 1000,
      exp: validity.validUntil.getTime() / 1000,
      cnf: { jwk: { kty: 'EC', crv: 'P-256', x: holder.publicJwk.x, y: holder.publicJwk.y, alg: 'ES256' } },
      status: { status_list: { idx: 42, uri: statusUri } },
    });
  });

  it('signs every claim in clear when the configuration marks none disclosable', async () => {
    const { credential } = await format.issue(input({ configuration: { ...configuration, disclosable: undefined } }));
    const decoded = decodeSdJwtByHand(credential);
    expect(decoded.disclosures).toHaveLength(0);
    expect(decoded.signedPayload).toMatchObject(claims);
  });

  it('names the credential by the base64url SHA-256 of what it delivers, and expires it at validUntil', async () => {
    const issued = await format.issue(input());
    expect(issued.digest).toBe(createHash('sha256').update(issued.credential).digest('base64url'));
    expect(issued.expiresAt).toEqual(validity.validUntil);
    expect((await format.issue(input())).digest).not.toBe(issued.digest);
  });

  it('yields a presentation with key binding that verifies by hand and with the issuer’s own presentation verifier, status list included', async () => {
    const { credential } = await format.issue(input());
    const presentation = await present(credential, (d) => d.name === 'given_name' || d.name === 'street_address', {
      aud: 'https://verifier.example',
      nonce: 'n-1',
    });

    const decoded = decodeSdJwtByHand(presentation);
    expect(decoded.claims.given_name).toBe('Erika');
    expect(decoded.claims.address).toEqual({ street_address: 'Heidestraße 17', country: 'DE' });
    expect(decoded.claims.family_name).toBeUndefined();
    expect(decoded.claims.nationalities).toEqual([]);
    const kb = decoded.keyBindingJwt as string;
    const cnf = decoded.claims.cnf as { jwk: JWK };
    await compactVerify(kb, await importJWK(cnf.jwk, 'ES256'));
    expect(decodeProtectedHeader(kb).typ).toBe('kb+jwt');
    expect(decodeJwt(kb).sd_hash).toBe(sdHashOf(presentation));

    const leafJwk = { ...(await exportJWK(verifyX5cChain(decoded.header.x5c, trustAnchor))), alg: 'ES256' };
    const trusted = [{ issuer, keys: [leafJwk], vcts: [vct] }];
    const check = await verifySdJwtVcPresentation(presentation, { trusted, audience: 'https://verifier.example', nonce: 'n-1' });
    expect(check).toMatchObject({ valid: true, vct, issuer, claims: { given_name: 'Erika' } });

    revokedIndex = 42;
    expect(await verifySdJwtVcPresentation(presentation, { trusted, audience: 'https://verifier.example', nonce: 'n-1' })).toEqual({
      valid: false,
      reason: 'INVALID_PRESENTATION',
    });
  });

  it('issues a holder without an optional disclosable claim, with no disclosure for it', async () => {
    const withoutFamilyName: Record<string, unknown> = { ...claims };
    delete withoutFamilyName.family_name;
    const configured = { ...configuration, disclosable: [...(configuration.disclosable ?? []), ['middle_name'], ['nationalities', 5]] };
    const { credential } = await format.issue(input({ configuration: configured, claims: withoutFamilyName }));
    const decoded = decodeSdJwtByHand(credential);
    expect(decoded.claims).toMatchObject(withoutFamilyName);
    expect(decoded.claims.family_name).toBeUndefined();
    expect(decoded.disclosures.map((d) => d.name)).not.toContain('middle_name');
    expect(decoded.disclosures).toHaveLength(7);
  });

  it('refuses claims that set issuer claims, a configuration without vct, an inverted validity and a private holder key', async () => {
    for (const reserved of ['iss', 'vct', 'cnf', 'status', 'exp', '_sd']) {
      await expect(format.issue(input({ claims: { ...claims, [reserved]: 'x' } }))).rejects.toThrow(`may not set ${reserved}`);
    }
    await expect(format.issue(input({ configuration: { ...configuration, parameters: {} } }))).rejects.toThrow('has no vct');
    await expect(format.issue(input({ validity: { ...validity, validUntil: validity.validFrom } }))).rejects.toThrow('expire after');
    await expect(format.issue(input({ holderKey: { ...holder.publicJwk, d: 'secret' } }))).rejects.toThrow('private member d');
  });
});
