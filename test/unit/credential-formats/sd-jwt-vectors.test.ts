import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { decodeSdJwtByHand, sdDigest, sdHashOf } from '../../support/sd-jwt-by-hand';

/**
 * The hand-written SD-JWT decoder (test/support/sd-jwt-by-hand.ts) that checks our credentials,
 * checked first against the public examples of SD-JWT (RFC 9901) and SD-JWT VC: it must rebuild
 * exactly the payloads the specifications print, or the credential tests would prove nothing.
 */
type Vectors = Record<string, unknown> & { issuer_jwk: JWK; holder_jwk: JWK };
const load = (name: string) => JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/credential-vectors', name), 'utf8')) as Vectors;
const sdJwt = load('sd-jwt-examples.json');
const sdJwtVc = load('sd-jwt-vc-examples.json');

interface Issuance {
  sd_jwt: string;
  expected_claims: Record<string, unknown>;
}
interface Presentation {
  sd_jwt_kb: string;
  aud: string;
  nonce: string;
  kb_iat: number;
  sd_hash?: string;
  expected_claims: Record<string, unknown>;
}

const issuances: [string, Vectors, Issuance][] = [
  ['SD-JWT §5 issuance', sdJwt, sdJwt.section5_issuance as Issuance],
  ['SD-JWT A.3 (dc+sd-jwt PID) issuance', sdJwt, sdJwt.a3_issuance as Issuance],
  ['SD-JWT VC figure 7 issuance', sdJwtVc, sdJwtVc.fig7_issuance as Issuance],
  ['SD-JWT A.1 presentation without key binding', sdJwt, sdJwt.a1_presentation as Issuance],
  ['SD-JWT VC figure 10 presentation without key binding', sdJwtVc, sdJwtVc.fig10_presentation as Issuance],
];
const presentations: [string, Vectors, Presentation][] = [
  ['SD-JWT §5 presentation', sdJwt, sdJwt.section5_presentation as Presentation],
  ['SD-JWT A.3 presentation', sdJwt, sdJwt.a3_presentation as Presentation],
  ['SD-JWT VC figure 8 presentation', sdJwtVc, sdJwtVc.fig8_presentation as Presentation],
];

async function verifyIssuerJwt(jwt: string, issuerJwk: JWK): Promise<void> {
  await compactVerify(jwt, await importJWK(issuerJwk, 'ES256'), { algorithms: ['ES256'] });
}

describe('the hand-written SD-JWT decoder on the specifications’ examples', () => {
  it('computes the digest SD-JWT §4.2.1 prints for its example disclosure', () => {
    const example = sdJwt.disclosure_4_2_1 as { disclosure: string; sha256: string };
    expect(sdDigest(example.disclosure)).toBe(example.sha256);
  });

  it.each(issuances)('%s: the issuer signature verifies and the processed claims are the printed payload', async (_label, file, vector) => {
    const decoded = decodeSdJwtByHand(vector.sd_jwt);
    await verifyIssuerJwt(decoded.issuerJwt, file.issuer_jwk);
    expect(decoded.claims).toEqual(vector.expected_claims);
    expect(decoded.keyBindingJwt).toBeUndefined();
  });

  it.each(presentations)('%s: the KB-JWT verifies with the cnf key over the sd_hash of the presentation', async (_label, file, vector) => {
    const decoded = decodeSdJwtByHand(vector.sd_jwt_kb);
    await verifyIssuerJwt(decoded.issuerJwt, file.issuer_jwk);
    expect(decoded.claims).toEqual(vector.expected_claims);
    const kb = decoded.keyBindingJwt as string;
    const cnf = decoded.claims.cnf as { jwk: JWK };
    expect(cnf.jwk).toEqual(file.holder_jwk);
    await compactVerify(kb, await importJWK(cnf.jwk, 'ES256'), { algorithms: ['ES256'] });
    expect(decodeProtectedHeader(kb).typ).toBe('kb+jwt');
    expect(decodeJwt(kb)).toMatchObject({ aud: vector.aud, nonce: vector.nonce, iat: vector.kb_iat, sd_hash: sdHashOf(vector.sd_jwt_kb) });
    if (vector.sd_hash) expect(sdHashOf(vector.sd_jwt_kb)).toBe(vector.sd_hash);
  });

  it('refuses an example whose disclosure was altered (its digest is in no _sd)', () => {
    const [jwt, first, ...rest] = (sdJwtVc.fig7_issuance as Issuance).sd_jwt.split('~');
    const altered = Buffer.from(
      JSON.stringify([...(JSON.parse(Buffer.from(first as string, 'base64url').toString()) as unknown[]).slice(0, 2), 'Mallory']),
    ).toString('base64url');
    expect(() => decodeSdJwtByHand([jwt, altered, ...rest].join('~'))).toThrow('in no _sd');
  });
});
