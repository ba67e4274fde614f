import { digest, ES256, generateSalt } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { TrustedCredentialIssuer } from '../../crypto/sd-jwt-vc-presentation';

/**
 * Another credential issuer (e.g. a national PID provider) and a holder's SD-JWT VC from it,
 * built with the @sd-jwt libraries, for tests of the credential-presentation verification type.
 */
export async function createCredentialIssuer(issuer = 'https://pid-provider.example') {
  const issuerKeys = await ES256.generateKeyPair();
  const holderKeys = await ES256.generateKeyPair();
  const trusted: TrustedCredentialIssuer = { issuer, keys: [{ ...(issuerKeys.publicKey as object), alg: 'ES256' }], vcts: ['urn:eudi:pid:1'] };
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    saltGenerator: generateSalt,
    signer: await ES256.getSigner(issuerKeys.privateKey),
    signAlg: 'ES256',
    kbSigner: await ES256.getSigner(holderKeys.privateKey),
    kbSignAlg: 'ES256',
  });
  const credential = await sdjwt.issue(
    {
      iss: issuer,
      vct: 'urn:eudi:pid:1',
      iat: Math.floor(Date.now() / 1000),
      cnf: { jwk: { ...(holderKeys.publicKey as object), alg: 'ES256' } },
      given_name: 'Erika',
      family_name: 'Mustermann',
      age_over_18: true,
    },
    { _sd: ['given_name', 'family_name', 'age_over_18'] },
  );
  return {
    trusted,
    /** The holder's presentation with key binding for `aud` and `nonce`. */
    present: (options: { aud: string; nonce: string; disclose?: Record<string, boolean> }) =>
      sdjwt.present(credential, options.disclose ?? { age_over_18: true }, {
        kb: { payload: { aud: options.aud, nonce: options.nonce, iat: Math.floor(Date.now() / 1000) } },
      }),
    withoutKeyBinding: () => sdjwt.present(credential, { age_over_18: true }),
  };
}
