import Ajv from 'ajv';
import { ClientPayloadError, openClientEncryptedPayload } from '../crypto/client-encrypted-payload';
import type { IssuerKeys } from '../crypto/issuer-keys';
import { bindingClaims, checkClientPayloadBinding, type ClientPayloadBinding } from '../domain/client-payload-binding';
import { problems } from '../domain/problems';
import type { PublicJwk } from '../domain/schemas/common';
import { VerificationDataItem, type VerificationDataResponse } from '../domain/schemas/verification';
import type { VerificationEvidence } from '../store/verification-data';

const isVerificationDataItem = new Ajv({ strict: false }).compile(VerificationDataItem);

/** JWT claims that frame a Client Encrypted Payload rather than belong to its item (profile §9, §11). */
const framingClaims: readonly string[] = ['aud', 'iat', 'exp', 'nbf', 'iss', 'jti', ...bindingClaims];

/** How a Client Encrypted Payload must be bound to the request that carries it (profile §11). */
export interface PayloadBindingOptions {
  binding: ClientPayloadBinding;
  iatWindowMs: number;
}

/**
 * Turns a VerificationDataResponse into the evidence that is stored and evaluated: Wallet
 * Server items as sent, and each Client Encrypted Payload decrypted, verified with the session's
 * Wallet Signing Key and checked for aud (S2S §Client Encrypted Payload), then for its binding to
 * this request and its `iat` (profile §11), so that a payload signed for one verification cannot
 * be replayed into another. Any payload that fails fails the whole request ("the Issuer MUST
 * reject the request"), before anything is stored.
 */
export async function collectVerificationEvidence(
  data: VerificationDataResponse | undefined,
  options: { issuerKeys: IssuerKeys; walletSigningKey: PublicJwk; pointer: string } & PayloadBindingOptions,
): Promise<VerificationEvidence> {
  const clientItems = [];
  for (const [index, payload] of (data?.clientEncryptedPayload ?? []).entries()) {
    const at = `${options.pointer}/clientEncryptedPayload/${index}`;
    if (payload.origin !== 'WALLET_CLIENT') {
      throw problems.invalidRequest('A clientEncryptedPayload must originate from the Wallet Client', [
        { pointer: `${at}/origin`, message: 'must be WALLET_CLIENT' },
      ]);
    }
    let claims: Record<string, unknown>;
    try {
      claims = await openClientEncryptedPayload(payload.jwe as string | Record<string, unknown>, options);
    } catch (error) {
      if (!(error instanceof ClientPayloadError)) throw error;
      const detail = `${at}: ${error.message}`;
      throw error.failure === 'invalid_encryption' ? problems.invalidEncryption(detail) : problems.invalidClientAuthentication(detail);
    }
    const check = checkClientPayloadBinding(claims, options.binding, { now: Date.now(), iatWindowMs: options.iatWindowMs });
    if (!check.bound) throw problems.invalidClientAuthentication(`${at}: ${check.reason}`);
    const item = Object.fromEntries(Object.entries(claims).filter(([name]) => !framingClaims.includes(name)));
    if (!isVerificationDataItem(item)) {
      throw problems.invalidRequest('A Client Encrypted Payload must carry a VerificationDataItem', [
        { pointer: at, message: 'payload needs string id and type' },
      ]);
    }
    clientItems.push(item);
  }
  return {
    serverItems: data?.serverVerificationDataItem ?? [],
    clientItems,
    additionalAssessments: (data?.additionalAssessments ?? []) as Record<string, unknown>[],
  };
}

export function hasEvidence(evidence: VerificationEvidence): boolean {
  return evidence.serverItems.length + evidence.clientItems.length + evidence.additionalAssessments.length > 0;
}
