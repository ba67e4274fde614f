import type { Db } from 'mongodb';
import type { MigrationCheck } from '../domain/verification-types/device-migration';
import type { OfferLookup } from '../domain/verification-types/pre-authorized-code';
import type { OneTimeCodeCheckPort } from '../domain/verification-types/one-time-code';
import { createOneTimeCodeRepository } from '../store/one-time-codes';
import type { AuthenticationStart } from '../domain/verification-types/issuer-authentication';
import { createIssuerAuthenticationRepository } from '../store/issuer-authentications';
import { VerificationState } from '../domain/verification-state';
import { createCredentialOfferRepository } from '../store/credential-offers';
import { createDeviceMigrationRepository } from '../store/device-migrations';
import { currentDecision, createVerificationSessionRepository, sessionDocumentId } from '../store/verification-sessions';

/** The I/O that evaluators need, injected so that the evaluators stay pure domain code. */
export interface EvaluatorPorts {
  offers: OfferLookup;
  oneTimeCodes: OneTimeCodeCheckPort;
  authentications: AuthenticationStart;
  migrations: MigrationCheck;
}

export function createEvaluatorPorts(db: Db): EvaluatorPorts {
  const offers = createCredentialOfferRepository(db);
  const sessions = createVerificationSessionRepository(db);
  const slots = createDeviceMigrationRepository(db);
  const authentications = createIssuerAuthenticationRepository(db);
  return {
    offers: { redeem: (code, by) => offers.redeem(code, by) },
    oneTimeCodes: createOneTimeCodeRepository(db),
    authentications: { begin: (ref) => authentications.begin(ref, 10 * 60 * 1000) },
    migrations: {
      async approvedSession(tenantId, previousSessionId) {
        const session = await sessions.get({ tenantId, sessionId: previousSessionId });
        const decision = session ? currentDecision(session) : undefined;
        if (decision?.status !== VerificationState.approved) return null;
        return { credentialConfigurationIds: decision.credentialConfigurationIds, authorizedDeviceCount: decision.authorizedDeviceCount ?? 1 };
      },
      claimDeviceSlot: (tenantId, previousSessionId, newSessionId, count) => slots.claimSlot(sessionDocumentId({ tenantId, sessionId: previousSessionId }), tenantId, newSessionId, count),
    },
  };
}
