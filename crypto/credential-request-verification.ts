import Ajv from 'ajv';
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK, type ProtectedHeaderParameters } from 'jose';
import { checkClientPayloadBinding } from '../domain/client-payload-binding';
import type { CredentialConfiguration } from '../domain/credential-configurations';
import { KeyType, type PublicJwk } from '../domain/schemas/common';
import { problems, type ProblemError } from '../domain/problems';
import { CredentialRequestClaims, type GetCredentialRequest, type ProvenCredentialRequest } from '../domain/schemas/credential';
import type { CredentialNonceConsumption } from '../store/credential-nonces';
import { ClientPayloadError, openClientEncryptedPayload } from './client-encrypted-payload';
import type { IssuerKeys } from './issuer-keys';
import { encryptJwe, parseHpkeAlg, publicHpkeJwk, type HpkeJwk } from './jwe-hpke';
import { KeyAttestationRefused, verifyKeyAttestation, type KeyAttestationTrust } from './key-attestation';

/**
 * Profile §25: a get proves the keys it names. The Wallet Client signs, with the session's Wallet
 * Signing Key, a Client Encrypted Payload (S2S §Client Encrypted Payload) that binds the Wallet
 * Encryption Key (its thumbprint), the credential instance and an issuer nonce, and carries one
 * OpenID4VCI 1.0 `jwt` key proof (Appendix F.1) per presentment key. Nothing is issued unless
 * every check passes; the checks run in the order of profile §25 and the first that fails refuses
 * the whole request.
 *
 * The nonce is used up as soon as the payload is shown to be the session's Wallet Client's and
 * made for this credential instance (step 8): every later refusal leaves it used, so a signed
 * payload is presented at most once, whatever its outcome (OpenID4VCI 1.0 §13.3, proof replay).
 */

/** Which Problem type a refusal maps to (S2S §Error Types; `invalid_request` is profile §7's invalid-request). */
export type CredentialRequestFailure = 'invalid_encryption' | 'invalid_client_authentication' | 'invalid_request';

export class CredentialRequestRefused extends Error {
  constructor(
    readonly failure: CredentialRequestFailure,
    message: string,
    /** JSON Pointer into the request body of the member the refusal is about. */
    readonly pointer?: string,
  ) {
    super(message);
    this.name = 'CredentialRequestRefused';
  }
}

/**
 * The Problem a refusal is answered with (profile §7, §25): invalid-request with the member in
 * `validationErrors`; the draft's two error types with the member at the start of `detail`.
 */
export function credentialRequestProblem(refused: CredentialRequestRefused): ProblemError {
  if (refused.failure === 'invalid_request') {
    return problems.invalidRequest('The get request is malformed', [{ pointer: refused.pointer ?? '', message: refused.message }]);
  }
  const detail = refused.pointer ? `${refused.pointer}: ${refused.message}` : refused.message;
  return refused.failure === 'invalid_encryption' ? problems.invalidEncryption(detail) : problems.invalidClientAuthentication(detail);
}

/** The nonce store as the verification uses it (store/credential-nonces.ts). */
export interface CredentialNonceConsumer {
  consume(tenantId: string, credentialInstanceId: string, nonce: string, requestId: string): Promise<CredentialNonceConsumption>;
}

export interface CredentialRequestContext {
  tenantId: string;
  /** The request's x-request-id: the nonce is used up by this request, and a retry of it passes (profile §3). */
  requestId: string;
  issuerKeys: IssuerKeys;
  /** The session's Wallet Signing Key (profile §5). */
  walletSigningKey: PublicJwk;
  /** The issuer metadata's `credential_issuer`: the `aud` of every key proof (Appendix F.1). */
  credentialIssuer: string;
  /** How far `iat` may lie from the issuer's clock, either way (profile §11). */
  iatWindowMs: number;
  now?: () => number;
  /** The instance's credential configuration. */
  configuration: Pick<CredentialConfiguration, 'batchSize' | 'proofSigningAlgorithms' | 'keyAttestation'>;
  attestationTrust: KeyAttestationTrust;
  nonces: CredentialNonceConsumer;
}

const payloadPointer = '/clientEncryptedData';
const keyPointer = '/walletEncryptionKey';

const isCredentialRequestClaims = new Ajv({ allErrors: false, strict: false }).compile<CredentialRequestClaims>(CredentialRequestClaims);

/** JWK members of private or symmetric keys (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const privateJwkMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const refuseAuthentication = (message: string) => new CredentialRequestRefused('invalid_client_authentication', message, payloadPointer);

const nonceRefusals: Record<Exclude<CredentialNonceConsumption, 'accepted'>, string> = {
  unknown: 'nonce is not a c_nonce issued for this credential instance',
  expired: 'nonce has expired',
  used: 'nonce has been used by another request',
};

/**
 * S2S §KeyData for the Wallet Encryption Key: keyType WALLET_ENCRYPTION_KEY, a public JWK only,
 * an HPKE `alg` (profile §11) whose suite the key fits, and a point the issuer can encrypt to:
 * a trial encryption (crypto/jwe-hpke.ts) decides that, exactly as issuance will encrypt.
 */
async function checkWalletEncryptionKey(request: GetCredentialRequest): Promise<HpkeJwk> {
  const key = request.walletEncryptionKey;
  if (key.keyType !== KeyType.walletEncryptionKey) {
    throw new CredentialRequestRefused('invalid_request', `keyType must be ${KeyType.walletEncryptionKey}`, `${keyPointer}/keyType`);
  }
  const jwk = key.client_public_key;
  const found = privateJwkMembers.find((member) => member in jwk);
  if (found) {
    throw new CredentialRequestRefused(
      'invalid_request',
      `the JWK contains the private member "${found}"; send the public key only`,
      `${keyPointer}/client_public_key/${found}`,
    );
  }
  if (!parseHpkeAlg(jwk.alg)) {
    throw new CredentialRequestRefused('invalid_request', `alg "${jwk.alg}" is not an HPKE algorithm (profile §11)`, `${keyPointer}/client_public_key/alg`);
  }
  const publicJwk = publicHpkeJwk(jwk as HpkeJwk);
  try {
    await encryptJwe(new Uint8Array(), publicJwk);
  } catch {
    throw new CredentialRequestRefused('invalid_request', `the JWK is not a usable public key for ${jwk.alg}`, `${keyPointer}/client_public_key`);
  }
  return publicJwk;
}

function audienceIs(aud: unknown, expected: string): boolean {
  return aud === expected || (Array.isArray(aud) && aud.length === 1 && aud[0] === expected);
}

/** A key proof that fails; its message names the check. */
class ProofRefused extends Error {}

interface ProofCheck {
  algorithms: readonly string[];
  credentialIssuer: string;
  nonce: string;
  now: number;
  iatWindowMs: number;
  configuration: CredentialRequestContext['configuration'];
  attestationTrust: KeyAttestationTrust;
}

/**
 * One `jwt` key proof (OpenID4VCI 1.0 Appendix F.1, checks of Appendix F.4), in order: a JWS;
 * `typ` openid4vci-proof+jwt; `alg` one of the configuration's proof signing algorithms (never
 * none or a MAC: the catalogue schema admits asymmetric algorithms only); the key as `jwk`, without
 * `kid`, `x5c` or `trust_chain`; a public JWK only; the JWK fits `alg`; the signature verifies with
 * it; `aud` the Credential Issuer Identifier; `iat` within the window (`exp`, `nbf` honoured);
 * `nonce` the c_nonce; then the key attestation, when the configuration requires one.
 */
async function verifyKeyProof(jwt: string, check: ProofCheck): Promise<PublicJwk> {
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw new ProofRefused('is not a JWS in compact serialization');
  }
  if (header.typ !== 'openid4vci-proof+jwt') throw new ProofRefused('typ must be openid4vci-proof+jwt');
  const alg = header.alg;
  if (typeof alg !== 'string' || !check.algorithms.includes(alg)) {
    throw new ProofRefused(`alg ${String(alg)} is not one of the proof signing algorithms ${check.algorithms.join(', ')}`);
  }
  for (const other of ['kid', 'x5c', 'trust_chain'] as const) {
    if (header[other] !== undefined) throw new ProofRefused(`must name its key by jwk only, not ${other}`);
  }
  const jwk = header.jwk as Record<string, unknown> | undefined;
  if (jwk === undefined || jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) throw new ProofRefused('needs the presentment key in the jwk header');
  const found = privateJwkMembers.find((member) => member in jwk);
  if (found) throw new ProofRefused(`jwk contains the private member "${found}"`);
  if (jwk.alg !== undefined && jwk.alg !== alg) throw new ProofRefused(`jwk alg ${String(jwk.alg)} is not the header alg ${alg}`);
  const { kty, crv, x, y } = jwk;
  const publicJwk = { kty, crv, x, ...(y === undefined ? {} : { y }), alg } as PublicJwk;
  let key;
  try {
    key = await importJWK(publicJwk as JWK, alg);
  } catch {
    throw new ProofRefused(`jwk is not a public key for ${alg}`);
  }

  let claims: Record<string, unknown>;
  try {
    const verified = await compactVerify(jwt, key, { algorithms: [alg] });
    claims = JSON.parse(Buffer.from(verified.payload).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new ProofRefused('the signature does not verify with its jwk');
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw new ProofRefused('the payload is not a JSON object');
  if (!audienceIs(claims.aud, check.credentialIssuer)) throw new ProofRefused('aud is not the Credential Issuer Identifier');
  const nowSeconds = check.now / 1000;
  const windowSeconds = check.iatWindowMs / 1000;
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) throw new ProofRefused('iat is required');
  if (Math.abs(nowSeconds - claims.iat) > windowSeconds) throw new ProofRefused(`iat is more than ${windowSeconds} s from the issuer's clock`);
  if (claims.exp !== undefined && !(typeof claims.exp === 'number' && nowSeconds < claims.exp)) throw new ProofRefused('the proof has expired (exp)');
  if (claims.nbf !== undefined && !(typeof claims.nbf === 'number' && claims.nbf <= nowSeconds + windowSeconds)) {
    throw new ProofRefused('the proof is not valid yet (nbf)');
  }
  if (claims.nonce !== check.nonce) throw new ProofRefused('nonce is not the c_nonce of this request');

  const policy = check.configuration.keyAttestation;
  if (policy.required) {
    if (header.key_attestation === undefined) throw new ProofRefused('needs a key_attestation header: the configuration requires key attestations');
    try {
      await verifyKeyAttestation(header.key_attestation, {
        trust: check.attestationTrust,
        policy,
        algorithms: check.algorithms,
        provenKey: publicJwk as JWK,
        nonce: check.nonce,
        now: check.now,
        iatWindowMs: check.iatWindowMs,
      });
    } catch (error) {
      if (error instanceof KeyAttestationRefused) throw new ProofRefused(`key_attestation: ${error.message}`);
      throw error;
    }
  }
  return publicJwk;
}

/**
 * Verifies a get's proofs of its keys (profile §25) and returns the proven keys, public parts
 * only. Throws CredentialRequestRefused; any other error is the issuer's own failure.
 */
export async function verifyCredentialRequest(request: GetCredentialRequest, ctx: CredentialRequestContext): Promise<ProvenCredentialRequest> {
  const now = (ctx.now ?? Date.now)();

  // 1. Profile §25: clientEncryptedData is required on every get (the draft makes it optional).
  const payload = request.clientEncryptedData;
  if (!payload) throw refuseAuthentication('clientEncryptedData is required: it proves the keys of the get');
  // 2. S2S §JweEncryptedPayload: the proofs come from the Wallet Client.
  if (payload.origin !== 'WALLET_CLIENT') throw new CredentialRequestRefused('invalid_request', 'origin must be WALLET_CLIENT', `${payloadPointer}/origin`);
  // 3, 4. S2S §KeyData: a usable Wallet Encryption Key.
  const walletEncryptionKey = await checkWalletEncryptionKey(request);

  // 5. S2S §Client Encrypted Payload: decrypt, verify the WSK signature and aud.
  let opened: Record<string, unknown>;
  try {
    opened = await openClientEncryptedPayload(payload.jwe as string | Record<string, unknown>, {
      issuerKeys: ctx.issuerKeys,
      walletSigningKey: ctx.walletSigningKey,
    });
  } catch (error) {
    if (error instanceof ClientPayloadError) throw new CredentialRequestRefused(error.failure, error.message, payloadPointer);
    throw error;
  }
  // 6. Profile §25: the signed payload is a CredentialRequestClaims.
  if (!isCredentialRequestClaims(opened)) {
    const first = isCredentialRequestClaims.errors?.[0];
    throw new CredentialRequestRefused(
      'invalid_request',
      `the signed payload ${first?.instancePath || '/'} ${first?.message ?? 'is malformed'}`.trim(),
      payloadPointer,
    );
  }
  const claims = opened;
  // 7. Made for this request's session and instance.
  if (claims.sessionId !== request.sessionId) throw refuseAuthentication("sessionId is not this request's sessionId: the payload was made for another one");
  if (claims.credentialInstanceId !== request.credentialInstanceId) {
    throw refuseAuthentication("credentialInstanceId is not this request's credentialInstanceId: the payload was made for another one");
  }
  // 8. The nonce, used up now: from here on a refusal leaves it used (see above).
  const consumed = await ctx.nonces.consume(ctx.tenantId, request.credentialInstanceId, claims.nonce, ctx.requestId);
  if (consumed !== 'accepted') throw refuseAuthentication(nonceRefusals[consumed]);
  // 9. Profile §11: iat within the window (exp, nbf honoured); no claims of the verification endpoints.
  const binding = checkClientPayloadBinding(claims, { sessionId: request.sessionId }, { now, iatWindowMs: ctx.iatWindowMs });
  if (!binding.bound) throw refuseAuthentication(binding.reason);
  // 10. The WSK signature binds the Wallet Encryption Key through its RFC 7638 thumbprint.
  const thumbprint = await calculateJwkThumbprint(walletEncryptionKey as JWK, 'sha256');
  if (claims.walletEncryptionKeyThumbprint !== thumbprint)
    throw refuseAuthentication("walletEncryptionKeyThumbprint is not the walletEncryptionKey's RFC 7638 thumbprint");
  // 11. One credential per key, at most the configuration's batch size (batch_credential_issuance.batch_size).
  if (claims.presentmentKeys.length > ctx.configuration.batchSize) {
    throw refuseAuthentication(
      `${claims.presentmentKeys.length} presentment keys; this credential configuration issues at most ${ctx.configuration.batchSize}`,
    );
  }
  // 12, 13. Each key proof, and no key twice.
  const check: ProofCheck = {
    algorithms: ctx.configuration.proofSigningAlgorithms,
    credentialIssuer: ctx.credentialIssuer,
    nonce: claims.nonce,
    now,
    iatWindowMs: ctx.iatWindowMs,
    configuration: ctx.configuration,
    attestationTrust: ctx.attestationTrust,
  };
  const presentmentKeys: PublicJwk[] = [];
  const seen = new Map<string, number>();
  for (const [index, proof] of claims.presentmentKeys.entries()) {
    let key: PublicJwk;
    try {
      key = await verifyKeyProof(proof, check);
    } catch (error) {
      if (error instanceof ProofRefused) throw refuseAuthentication(`presentmentKeys/${index}: ${error.message}`);
      throw error;
    }
    const keyThumbprint = await calculateJwkThumbprint(key as JWK, 'sha256');
    const earlier = seen.get(keyThumbprint);
    if (earlier !== undefined) throw refuseAuthentication(`presentmentKeys/${index} proves the same key as presentmentKeys/${earlier}`);
    seen.set(keyThumbprint, index);
    presentmentKeys.push(key);
  }
  return { walletEncryptionKey: walletEncryptionKey as PublicJwk, presentmentKeys };
}
