import type { Db } from 'mongodb';
import type { DataKeyring } from '../crypto/data-encryption';
import { VerificationState } from '../domain/verification-state';
import type { EvaluatorPorts } from '../domain/verification-types/supported';
import { createCredentialOfferRepository } from './credential-offers';
import { createDeviceMigrationRepository } from './device-migrations';
import { createIssuerAuthenticationRepository } from './issuer-authentications';
import { createOneTimeCodeRepository } from './one-time-codes';
import { currentDecision, createVerificationSessionRepository, sessionDocumentId } from './verification-sessions';

/** The evaluators' ports (domain/verification-types/supported.ts) on this database's collections. */
export function createEvaluatorPorts(db: Db, keys: { otpKeyring: DataKeyring }): EvaluatorPorts {
  const offers = createCredentialOfferRepository(db);
  const sessions = createVerificationSessionRepository(db);
  const slots = createDeviceMigrationRepository(db);
  const authentications = createIssuerAuthenticationRepository(db);
  return {
    offers: { redeem: (code, by) => offers.redeem(code, by) },
    oneTimeCodes: createOneTimeCodeRepository(db, keys.otpKeyring),
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
