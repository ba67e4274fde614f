import { compactVerify, importJWK, type JWK } from 'jose';
import type { PublicJwk } from '../domain/schemas/common';
import { encryptionKeyAudience, type IssuerKeys } from './issuer-keys';
import { decryptJwe, JweError } from './jwe-hpke';

/** Which of the draft's two error types a failure maps to (S2S §Error Types). */
export type ClientPayloadFailure = 'invalid_encryption' | 'invalid_client_authentication';

export class ClientPayloadError extends Error {
  constructor(
    readonly failure: ClientPayloadFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ClientPayloadError';
  }
}

/** Largest accepted JWE ciphertext of a client payload (profile §Encryption). */
export const maxClientPayloadBytes = 64 * 1024;

/**
 * S2S §Client Encrypted Payload: decrypt the JWE with one of the issuer's keys, verify the inner
 * JWS with the session's Wallet Signing Key, and check that `aud` is the RFC 7638 SHA-256
 * thumbprint of the key that decrypted it. Returns the JWS payload (a JSON object).
 */
export async function openClientEncryptedPayload(
  jwe: string | Record<string, unknown>,
  options: { issuerKeys: IssuerKeys; walletSigningKey: PublicJwk },
): Promise<Record<string, unknown>> {
  let decrypted;
  try {
    decrypted = await decryptJwe(jwe, options.issuerKeys.encryption, { maxCiphertextBytes: maxClientPayloadBytes });
  } catch (error) {
    if (error instanceof JweError) throw new ClientPayloadError('invalid_encryption', error.message);
    throw error;
  }

  const jws = Buffer.from(decrypted.plaintext).toString('utf8');
  let payload: unknown;
  try {
    const key = await importJWK(options.walletSigningKey as JWK, options.walletSigningKey.alg);
    // Only the WSK's own alg: never "none", never an algorithm the key was not registered for.
    const verified = await compactVerify(jws, key, { algorithms: [options.walletSigningKey.alg] });
    payload = JSON.parse(Buffer.from(verified.payload).toString('utf8'));
  } catch {
    throw new ClientPayloadError('invalid_client_authentication', 'the payload is not a JWS signed by the Wallet Signing Key of this session');
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new ClientPayloadError('invalid_client_authentication', 'the JWS payload is not a JSON object');
  }
  const claims = payload as Record<string, unknown>;
  const expected = await encryptionKeyAudience(decrypted.key.jwk);
  const aud = claims.aud;
  if (!(aud === expected || (Array.isArray(aud) && aud.length === 1 && aud[0] === expected))) {
    throw new ClientPayloadError('invalid_client_authentication', 'aud is not the thumbprint of the issuer key the payload was encrypted to');
  }
  return claims;
}
