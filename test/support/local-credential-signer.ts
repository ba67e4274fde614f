import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { CredentialSigner } from '../../domain/credential-formats/format';

/** A throwaway ES256 signer for tests: a fresh P-256 key, signatures r || s. */
export function createLocalEs256Signer(keyId = 'test-status-key'): { signer: CredentialSigner; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    signer: {
      alg: 'ES256',
      keyId,
      sign: (data) => Promise.resolve(new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }))),
    },
    publicKey,
  };
}
