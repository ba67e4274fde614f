import { createHash, randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { collections, isDuplicateKeyError } from './mongo';

/**
 * Credential Offers created by the issuer's back office (S2S §Engagement; profile §Credential
 * Offers). The pre-authorized code is a bearer secret: only its SHA-256 is stored, it is single
 * use, expires, and is bound to the holder's issuer account.
 */
export interface CredentialOffer {
  _id: string;
  credentialConfigurationIds: string[];
  holderAccountId: string;
  /** True when the holder was authenticated at the issuer (flow 3); false needs proofing (flow 4). */
  holderAuthenticated: boolean;
  state: 'issued' | 'redeemed';
  createdAt: Date;
  expiresAt: Date;
  redeemedBy?: { tenantId: string; sessionId: string; verificationId: string; at: Date };
}

export type OfferRedemption = { outcome: 'redeemed'; offer: CredentialOffer } | { outcome: 'unknown' | 'expired' | 'used' };

export const hashPreAuthorizedCode = (code: string) => createHash('sha256').update(code, 'utf8').digest('base64url');

export function createCredentialOfferRepository(db: Db) {
  const offers = db.collection<CredentialOffer>(collections.credentialOffers);
  const redemptions = db.collection<{ _id: string; tenantId: string; sessionId: string; verificationId: string; at: Date }>(collections.offerRedemptions);
  return {
    async create(
      details: Pick<CredentialOffer, 'credentialConfigurationIds' | 'holderAccountId' | 'holderAuthenticated'> & { ttlMs: number },
    ): Promise<{ code: string; offer: CredentialOffer }> {
      for (;;) {
        const code = randomBytes(32).toString('base64url');
        const now = new Date();
        const offer: CredentialOffer = {
          _id: hashPreAuthorizedCode(code),
          credentialConfigurationIds: details.credentialConfigurationIds,
          holderAccountId: details.holderAccountId,
          holderAuthenticated: details.holderAuthenticated,
          state: 'issued',
          createdAt: now,
          expiresAt: new Date(now.getTime() + details.ttlMs),
        };
        try {
          await offers.insertOne(offer);
          return { code, offer };
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
        }
      }
    },

    /**
     * Redeems a code once. The conditional update decides between concurrent redemptions; a
     * repeat by the same verification (an activity retry) gets the same offer back.
     */
    async redeem(code: string, by: { tenantId: string; sessionId: string; verificationId: string }, now = new Date()): Promise<OfferRedemption> {
      const id = hashPreAuthorizedCode(code);
      const found = await offers.findOne({ _id: id });
      if (!found) return { outcome: 'unknown' };
      const sameRedeemer =
        found.redeemedBy?.tenantId === by.tenantId && found.redeemedBy.sessionId === by.sessionId && found.redeemedBy.verificationId === by.verificationId;
      if (found.state === 'redeemed') return sameRedeemer ? { outcome: 'redeemed', offer: found } : { outcome: 'used' };
      if (found.expiresAt.getTime() <= now.getTime()) return { outcome: 'expired' };
      // The insert decides between concurrent redemptions (conditional updates are not atomic on FerretDB).
      try {
        await redemptions.insertOne({ _id: id, ...by, at: now });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        const winner = await redemptions.findOne({ _id: id });
        const same = winner?.tenantId === by.tenantId && winner.sessionId === by.sessionId && winner.verificationId === by.verificationId;
        return same ? { outcome: 'redeemed', offer: found } : { outcome: 'used' };
      }
      const redeemedBy = { ...by, at: now };
      await offers.updateOne({ _id: id }, { $set: { state: 'redeemed', redeemedBy } });
      return { outcome: 'redeemed', offer: { ...found, state: 'redeemed', redeemedBy } };
    },
  };
}
export type CredentialOfferRepository = ReturnType<typeof createCredentialOfferRepository>;
