import { negotiateApiVersion } from '../../domain/api-version';

describe('negotiateApiVersion (S2S §API Versioning, profile §API versions)', () => {
  it.each([
    ['1.0.0', '1.0.0'],
    [' 1.0.0 ', '1.0.0'],
  ])('serves %p with %s', (requested, version) => {
    expect(negotiateApiVersion(requested)).toEqual({ ok: true, version });
  });

  it.each([undefined, '', '1', '1.0', 'v1.0.0', '01.0.0', '1.0.0-beta', '1.1.0', '2.0.0', '0.9.0'])('refuses %p', (requested) => {
    expect(negotiateApiVersion(requested).ok).toBe(false);
  });

  // S2S §API Versioning: only listed versions are supported; a patch level that is not listed is refused.
  it.each(['1.0.1', '1.0.7', '1.0.12'])('refuses the unlisted patch level %s', (requested) => {
    expect(negotiateApiVersion(requested)).toEqual({ ok: false, reason: `Api-Version ${requested} is not supported` });
  });
});
