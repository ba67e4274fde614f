import type { Db } from 'mongodb';
import type { DataKeyring } from '../crypto/data-encryption';
import { VerificationState } from '../domain/verification-state';
import type { EvaluatorPorts } from '../domain/verification-types/supported';
import { createCredentialOfferRepository } from './credential-offers';
import { createDeviceMigrationRepository } from './device-migrations';
import { createIssuerAuthenticationRepository } from './issuer-authentications';
import { createOneTimeCodeRepository } from './one-time-codes';
import { createSessionHolderRepository } from './session-holders';
import { currentDecision, createVerificationSessionRepository, sessionDocumentId } from './verification-sessions';

/** The evaluators' ports (domain/verification-types/supported.ts) on this database's collections. */
export function createEvaluatorPorts(db: Db, keys: { otpKeyring: DataKeyring }): EvaluatorPorts {
  const offers = createCredentialOfferRepository(db);
  const sessions = createVerificationSessionRepository(db);
  const slots = createDeviceMigrationRepository(db);
  const authentications = createIssuerAuthenticationRepository(db);
  const oneTimeCodes = createOneTimeCodeRepository(db, keys.otpKeyring);
  // Evidence that names a holder account records it for the verification (store/session-holders.ts).
  const holders = createSessionHolderRepository(db);
  return {
    offers: {
      async redeem(code, by) {
        const redemption = await offers.redeem(code, by);
        if (redemption.outcome === 'redeemed') await holders.recordHolder(by, redemption.offer.holderAccountId, 'credential-offer');
        return redemption;
      },
    },
    oneTimeCodes: {
      async check(tenantId, holderAccountId, code, by, credentialConfigurationIds) {
        const result = await oneTimeCodes.check(tenantId, holderAccountId, code, by, credentialConfigurationIds);
        // `by` is <tenantId>/<sessionId>/<verificationId> (domain/verification-types/one-time-code.ts).
        const [sessionId, verificationId] = by.slice(tenantId.length + 1).split('/');
        if (result === 'accepted' && sessionId && verificationId)
          await holders.recordHolder({ tenantId, sessionId, verificationId }, holderAccountId, 'one-time-code');
        return result;
      },
    },
    authentications: { begin: (ref) => authentications.begin(ref, 10 * 60 * 1000) },
    migrations: {
      async approvedSession(tenantId, previousSessionId) {
        const session = await sessions.get({ tenantId, sessionId: previousSessionId });
        const decision = session ? currentDecision(session) : undefined;
        if (decision?.status !== VerificationState.approved) return null;
        return { credentialConfigurationIds: decision.credentialConfigurationIds, authorizedDeviceCount: decision.authorizedDeviceCount ?? 1 };
      },
      claimDeviceSlot: (tenantId, previousSessionId, newSessionId, count) =>
        slots.claimSlot(sessionDocumentId({ tenantId, sessionId: previousSessionId }), tenantId, newSessionId, count),
    },
  };
}
