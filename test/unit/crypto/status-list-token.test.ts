import type { JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Decoder, type Tag } from 'cbor-x';
import { StatusList } from '@sd-jwt/jwt-status-list';
import { base64url, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import {
  compressStatusList,
  decompressStatusList,
  encodeCborStatusList,
  encodeJsonStatusList,
  encodeStatusListCwtClaims,
  signStatusListCwt,
  signStatusListJwt,
  verifyStatusListCwt,
} from '../../../crypto/status-list-token';
import {
  StatusValue,
  isStatusChangeAllowed,
  issuerStatusListBits,
  issuerStatusListSize,
  setStatusAt,
  statusAt,
  statusListFromEntries,
  type StatusListBits,
} from '../../../domain/status-lists/status-list';
import { createLocalEs256Signer } from '../../support/local-credential-signer';

/** draft-ietf-oauth-status-list examples and test vectors (github.com/oauth-wg/draft-ietf-oauth-status-list, commit 2fb61cd). */
interface SmallVector {
  bits: StatusListBits;
  statuses: number[];
  byte_array_hex: string;
  compressed_hex: string;
  json: { bits: number; lst: string };
  cbor_hex: string;
}
interface LongVector {
  bits: StatusListBits;
  size: number;
  statuses: Record<string, number>;
  json: { bits: number; lst: string };
  cbor_hex: string;
}
const vectors = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/status-list/status-list-examples.json'), 'utf8')) as {
  example_key: JsonWebKey & { kid: string };
  bits1_small: SmallVector;
  bits2_small: SmallVector;
  long_1bit: LongVector;
  long_2bit: LongVector;
  long_4bit: LongVector;
  long_8bit: LongVector;
  jwt_example: string;
  jwt_example_expected: { sub: string; iat: number; exp: number; ttl: number; bits: number };
  cwt_example_hex: string;
};
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });

describe('status list byte array (draft §4.1)', () => {
  it.each(['bits1_small', 'bits2_small'] as const)('%s: packs the statuses into the draft byte array, compresses and encodes it as the draft does', (name) => {
    const vector = vectors[name];
    const bytes = statusListFromEntries(
      vector.statuses.length,
      vector.bits,
      vector.statuses.map((status, index) => ({ index, status })),
    );
    expect(hex(bytes)).toBe(vector.byte_array_hex);
    expect(hex(compressStatusList(bytes))).toBe(vector.compressed_hex);
    expect(encodeJsonStatusList(bytes, vector.bits)).toEqual(vector.json);
    expect(hex(encodeCborStatusList(bytes, vector.bits))).toBe(vector.cbor_hex);
    const decoded = decompressStatusList(base64url.decode(vector.json.lst));
    expect(vector.statuses.map((_, index) => statusAt(decoded, vector.bits, index))).toEqual(vector.statuses);
  });

  it.each(['long_1bit', 'long_2bit', 'long_4bit', 'long_8bit'] as const)(
    '%s: the decoded 2^20-entry list has exactly the listed non-zero statuses, and re-encodes to the same list',
    (name) => {
      const vector = vectors[name];
      const bytes = decompressStatusList(base64url.decode(vector.json.lst));
      for (const [index, status] of Object.entries(vector.statuses)) expect(statusAt(bytes, vector.bits, Number(index))).toBe(status);
      let nonZero = 0;
      for (let index = 0; index < vector.size; index++) if (statusAt(bytes, vector.bits, index) !== 0) nonZero++;
      expect(nonZero).toBe(Object.values(vector.statuses).filter((status) => status !== 0).length);
      const rebuilt = statusListFromEntries(
        vector.size,
        vector.bits,
        Object.entries(vector.statuses).map(([index, status]) => ({ index: Number(index), status })),
      );
      expect(hex(rebuilt)).toBe(hex(bytes));
      // The CBOR form carries the same compressed bytes as the JSON form.
      const cborList = decoder.decode(fromHex(vector.cbor_hex)) as Map<string, unknown>;
      expect(hex(decompressStatusList(cborList.get('lst') as Uint8Array))).toBe(hex(bytes));
    },
  );

  it('writes one entry without touching its neighbours, and refuses indexes and values outside the list', () => {
    const bytes = statusListFromEntries(8, 2, []);
    setStatusAt(bytes, 2, 5, StatusValue.suspended);
    setStatusAt(bytes, 2, 4, StatusValue.invalid);
    setStatusAt(bytes, 2, 4, StatusValue.valid);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((index) => statusAt(bytes, 2, index))).toEqual([0, 0, 0, 0, 0, 2, 0, 0]);
    expect(() => setStatusAt(bytes, 2, 8, 1)).toThrow(RangeError);
    expect(() => setStatusAt(bytes, 2, -1, 1)).toThrow(RangeError);
    expect(() => setStatusAt(bytes, 2, 0, 4)).toThrow(RangeError);
  });

  it('keeps revocation final: INVALID never goes back to VALID or SUSPENDED; suspension can be lifted', () => {
    expect(isStatusChangeAllowed(StatusValue.invalid, StatusValue.valid)).toBe(false);
    expect(isStatusChangeAllowed(StatusValue.invalid, StatusValue.suspended)).toBe(false);
    expect(isStatusChangeAllowed(StatusValue.invalid, StatusValue.invalid)).toBe(true);
    expect(isStatusChangeAllowed(StatusValue.suspended, StatusValue.valid)).toBe(true);
    expect(isStatusChangeAllowed(StatusValue.valid, StatusValue.invalid)).toBe(true);
  });

  it('sizes issued lists at 131072 entries of 2 bits (32 KiB before compression)', () => {
    expect(issuerStatusListSize).toBeGreaterThanOrEqual(100_000);
    expect(issuerStatusListBits).toBe(2);
    expect(statusListFromEntries(issuerStatusListSize, issuerStatusListBits, []).length).toBe(32 * 1024);
  });
});

describe('Status List Token as a JWT (draft §5.1)', () => {
  it("the draft's example JWT verifies with its key and decodes to its statuses (the checker used below)", async () => {
    const key = await importJWK(vectors.example_key, 'ES256');
    const { payload, protectedHeader } = await jwtVerify(vectors.jwt_example, key, { typ: 'statuslist+jwt', currentDate: new Date(1_700_000_000_000) });
    expect(protectedHeader.kid).toBe('12');
    expect(payload).toMatchObject({ sub: vectors.jwt_example_expected.sub, iat: vectors.jwt_example_expected.iat, ttl: 43200 });
    const list = payload.status_list as { bits: StatusListBits; lst: string };
    expect(StatusList.decompressStatusList(list.lst, list.bits).statusList.slice(0, 16)).toEqual(vectors.bits1_small.statuses);
  });

  it('signs through the CredentialSigner; jose verifies it and @sd-jwt/jwt-status-list reads the same statuses', async () => {
    const { signer, publicKey } = createLocalEs256Signer('list-key-1');
    const bytes = statusListFromEntries(issuerStatusListSize, 2, [
      { index: 0, status: StatusValue.invalid },
      { index: 77_777, status: StatusValue.suspended },
      { index: issuerStatusListSize - 1, status: StatusValue.invalid },
    ]);
    const issuedAt = new Date('2026-12-01T00:00:00Z');
    const jwt = await signStatusListJwt({
      uri: 'https://issuer.example/status-lists/7',
      bits: 2,
      bytes,
      issuedAt,
      expiresAt: new Date(issuedAt.getTime() + 86_400_000),
      ttlSeconds: 300,
      signer,
    });
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'ES256', typ: 'statuslist+jwt', kid: 'list-key-1' });
    const { payload } = await jwtVerify(jwt, publicKey, { typ: 'statuslist+jwt', currentDate: issuedAt });
    expect(payload).toMatchObject({ sub: 'https://issuer.example/status-lists/7', iat: 1_796_083_200, exp: 1_796_169_600, ttl: 300 });
    const list = payload.status_list as { bits: StatusListBits; lst: string };
    const independent = StatusList.decompressStatusList(list.lst, list.bits);
    expect([independent.getStatus(0), independent.getStatus(1), independent.getStatus(77_777), independent.getStatus(issuerStatusListSize - 1)]).toEqual([
      1, 0, 2, 1,
    ]);
    // A 32 KiB list of mostly VALID entries compresses to a few dozen bytes.
    expect(list.lst.length).toBeLessThan(200);
  });
});

describe('Status List Token as a CWT (draft §5.2)', () => {
  const cwtVector = fromHex(vectors.cwt_example_hex);

  it("verifies the draft's example CWT with its key and reads sub, iat, exp, ttl and the list", () => {
    const decoded = verifyStatusListCwt(cwtVector, vectors.example_key);
    expect(decoded).toEqual({
      uri: 'https://example.com/statuslists/1',
      issuedAt: vectors.jwt_example_expected.iat,
      expiresAt: vectors.jwt_example_expected.exp,
      ttlSeconds: 43200,
      bits: 1,
      bytes: fromHex(vectors.bits1_small.byte_array_hex),
    });
  });

  it("encodes the claims and protected header byte for byte as the draft's example", () => {
    const [protectedHeader, unprotected, payload] = (decoder.decode(cwtVector) as Tag).value as [Uint8Array, Map<number, unknown>, Uint8Array];
    const claims = encodeStatusListCwtClaims({
      uri: 'https://example.com/statuslists/1',
      bits: 1,
      bytes: fromHex(vectors.bits1_small.byte_array_hex),
      issuedAt: new Date(vectors.jwt_example_expected.iat * 1000),
      expiresAt: new Date(vectors.jwt_example_expected.exp * 1000),
      ttlSeconds: 43200,
    });
    expect(hex(claims)).toBe(hex(payload));
    expect(hex(protectedHeader)).toBe('a2012610781a6170706c69636174696f6e2f7374617475736c6973742b637774');
    expect(unprotected.get(4)).toEqual(new Uint8Array(Buffer.from('12')));
  });

  it('refuses a CWT whose signature does not match, or signed by another key', () => {
    const tampered = new Uint8Array(cwtVector);
    tampered[tampered.length - 1] = cwtVector[cwtVector.length - 1]! ^ 0x01;
    expect(() => verifyStatusListCwt(tampered, vectors.example_key)).toThrow(/does not verify/);
    expect(() => verifyStatusListCwt(cwtVector, createLocalEs256Signer().publicKey)).toThrow(/does not verify/);
  });

  it('signs a COSE_Sign1 (tag 18) through the CredentialSigner that verifies and decodes to the entries set', async () => {
    const { signer, publicKey } = createLocalEs256Signer('list-key-2');
    const bytes = statusListFromEntries(issuerStatusListSize, 2, [{ index: 4242, status: StatusValue.suspended }]);
    const cwt = await signStatusListCwt({
      uri: 'https://issuer.example/status-lists/8',
      bits: 2,
      bytes,
      issuedAt: new Date('2026-12-01T00:00:00Z'),
      expiresAt: new Date('2026-12-02T00:00:00Z'),
      ttlSeconds: 300,
      signer,
    });
    const outer = decoder.decode(cwt) as Tag;
    expect(outer.tag).toBe(18);
    const decoded = verifyStatusListCwt(cwt, publicKey);
    expect(decoded).toMatchObject({
      uri: 'https://issuer.example/status-lists/8',
      issuedAt: 1_796_083_200,
      expiresAt: 1_796_169_600,
      ttlSeconds: 300,
      bits: 2,
    });
    expect(statusAt(decoded.bytes, 2, 4242)).toBe(StatusValue.suspended);
    expect(statusAt(decoded.bytes, 2, 4241)).toBe(StatusValue.valid);
    expect(((outer.value as unknown[])[1] as Map<number, unknown>).get(4)).toEqual(new Uint8Array(Buffer.from('list-key-2')));
  });
});
