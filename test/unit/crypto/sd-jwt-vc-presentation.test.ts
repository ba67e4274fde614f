import { verifySdJwtVcPresentation } from '../../../crypto/sd-jwt-vc-presentation';
import { createCredentialIssuer } from '../../support/sd-jwt-vc-issuer';

const audience = 'https://issuer.example';

describe('SD-JWT VC presentation with key binding', () => {
  it('accepts a presentation from a trusted issuer, bound to this verification’s nonce and our audience', async () => {
    const pid = await createCredentialIssuer();
    const presentation = await pid.present({ aud: audience, nonce: 'verification-1' });
    const check = await verifySdJwtVcPresentation(presentation, { trusted: [pid.trusted], audience, nonce: 'verification-1' });
    expect(check).toMatchObject({ valid: true, vct: 'urn:eudi:pid:1', claims: { age_over_18: true } });
    expect(check.valid && check.claims.family_name).toBeUndefined();
  });

  it.each([
    ['another verification’s nonce', { aud: audience, nonce: 'other' }, 'INVALID_PRESENTATION'],
    ['another audience', { aud: 'https://elsewhere.example', nonce: 'verification-1' }, 'WRONG_AUDIENCE'],
  ])('refuses a presentation for %s', async (_label, kb, reason) => {
    const pid = await createCredentialIssuer();
    const check = await verifySdJwtVcPresentation(await pid.present(kb), { trusted: [pid.trusted], audience, nonce: 'verification-1' });
    expect(check).toEqual({ valid: false, reason });
  });

  it('refuses an untrusted issuer, a forged issuer key, a missing key binding and an unaccepted type', async () => {
    const pid = await createCredentialIssuer();
    const impostor = await createCredentialIssuer();
    const presentation = await pid.present({ aud: audience, nonce: 'n' });
    expect(await verifySdJwtVcPresentation(presentation, { trusted: [], audience, nonce: 'n' })).toEqual({ valid: false, reason: 'UNTRUSTED_ISSUER' });
    expect(await verifySdJwtVcPresentation(presentation, { trusted: [impostor.trusted], audience, nonce: 'n' })).toEqual({
      valid: false,
      reason: 'INVALID_PRESENTATION',
    });
    expect(await verifySdJwtVcPresentation(await pid.withoutKeyBinding(), { trusted: [pid.trusted], audience, nonce: 'n' })).toEqual({
      valid: false,
      reason: 'INVALID_PRESENTATION',
    });
    expect(await verifySdJwtVcPresentation(presentation, { trusted: [{ ...pid.trusted, vcts: ['urn:other'] }], audience, nonce: 'n' })).toEqual({
      valid: false,
      reason: 'UNACCEPTED_TYPE',
    });
  });
});
