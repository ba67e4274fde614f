import { contentDownloadUrl, contentIdPattern, deliversByReference } from '../../domain/content-reference';

describe('the Content Reference threshold (profile §25, S2S §Content Reference)', () => {
  it('answers a JWE up to and including the threshold in band', () => {
    expect(deliversByReference(0, 1024)).toBe(false);
    expect(deliversByReference(1023, 1024)).toBe(false);
    expect(deliversByReference(1024, 1024)).toBe(false);
  });

  it('delivers a JWE one byte over the threshold by reference', () => {
    expect(deliversByReference(1025, 1024)).toBe(true);
    expect(deliversByReference(512 * 1024 + 1, 512 * 1024)).toBe(true);
  });
});

describe('the download URL', () => {
  it('is the API base URL, /content and the id, whatever trailing slashes the base URL has', () => {
    const id = 'A'.repeat(43);
    expect(contentDownloadUrl('https://issuer.test', id)).toBe(`https://issuer.test/content/${id}`);
    expect(contentDownloadUrl('https://issuer.test/api//', id)).toBe(`https://issuer.test/api/content/${id}`);
  });

  it('accepts only 43-character base64url ids (256 bits), so nothing else reaches the store', () => {
    expect(contentIdPattern.test('A'.repeat(43))).toBe(true);
    expect(contentIdPattern.test('A'.repeat(42))).toBe(false);
    expect(contentIdPattern.test('A'.repeat(44))).toBe(false);
    expect(contentIdPattern.test(`${'A'.repeat(42)}=`)).toBe(false);
    expect(contentIdPattern.test(`${'A'.repeat(42)}/`)).toBe(false);
  });
});
