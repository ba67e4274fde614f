import { devAdditionalInfoType, devApproveType } from '../../domain/verification-types/development';
import type { InitiateVerificationRequest, VerificationDataItem } from '../../domain/schemas/verification';
import type { HpkeJwk, JweSerialization } from '../../crypto/jwe-hpke';
import type { ClientPayloadBinding } from '../../domain/client-payload-binding';
import { createClientEncryptedPayload, createInitiateRequest, generateWalletSigningKey, type WalletSigningKey } from '../../wallet/wallet-client-instance';

export const mdl = 'org.iso.18013.5.1.mDL';

/** Personal data a holder might submit; tests check it never reaches Temporal history or logs. */
export const holderPersonalData = { givenName: 'Erika', familyName: 'Mustermann-Testperson', birthDate: '1964-08-12' };

/** An initiate body whose server-supplied item approves at once (development verification type). */
export async function approvableInitiate(key?: WalletSigningKey): Promise<InitiateVerificationRequest> {
  return createInitiateRequest({
    key: key ?? (await generateWalletSigningKey()),
    credentialConfigurationIds: [mdl],
    // Type-specific fields beside id and type are allowed (S2S §VerificationDataItem Schema).
    verificationData: { serverVerificationDataItem: [{ id: 'risk-1', type: devApproveType, holder: holderPersonalData } as VerificationDataItem] },
  });
}

/** An initiate body that leads to ADDITIONAL_INFO_REQUIRED. */
export async function negotiatedInitiate(): Promise<InitiateVerificationRequest> {
  return createInitiateRequest({
    key: await generateWalletSigningKey(),
    credentialConfigurationIds: [mdl],
    verificationData: { serverVerificationDataItem: [{ id: 'first', type: devAdditionalInfoType }] },
  });
}

/**
 * A Wallet Client's item, signed with its WSK and encrypted to the issuer (S2S §Client Encrypted
 * Payload), bound to the request it is for (profile §11).
 */
export async function clientPayload(
  key: WalletSigningKey,
  issuerKey: HpkeJwk,
  item: Record<string, unknown>,
  binding: ClientPayloadBinding,
  serialization: JweSerialization = 'compact',
) {
  return createClientEncryptedPayload({ key, issuerKey, claims: item, binding, serialization });
}
