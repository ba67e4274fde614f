import { negotiateApiVersion } from '../../domain/api-version';

describe('negotiateApiVersion (S2S §API Versioning, profile §API versions)', () => {
  it.each([
    ['1.0.0', '1.0.0'],
    ['1.0.12', '1.0.0'],
    [' 1.0.0 ', '1.0.0'],
  ])('serves %s with %s', (requested, version) => {
    expect(negotiateApiVersion(requested)).toEqual({ ok: true, version });
  });

  it.each([undefined, '', '1', '1.0', 'v1.0.0', '01.0.0', '1.0.0-beta', '1.1.0', '2.0.0', '0.9.0'])('refuses %p', (requested) => {
    expect(negotiateApiVersion(requested).ok).toBe(false);
  });
});
