import { generateHpkeJwk, type IssuerKeys } from '../../crypto/issuer-keys';

/** Two active issuer encryption keys of different suites, as after a rotation. */
export async function generateIssuerKeys(): Promise<IssuerKeys> {
  return { encryption: [{ jwk: await generateHpkeJwk('HPKE-0-KE') }, { jwk: await generateHpkeJwk('HPKE-3-KE') }] };
}
