import { createCredentialPresentationEvaluator, type PresentationVerifier } from './credential-presentation';
import { developmentEvaluators } from './development';
import { createDeviceMigrationEvaluator, type MigrationCheck } from './device-migration';
import { createEvaluatorRegistry, type EvaluatorRegistry, type VerificationEvaluator } from './evaluator';
import { identityEvidenceEvaluator } from './identity-evidence';
import { createIssuerAuthenticationEvaluator, type AuthenticationStart } from './issuer-authentication';
import { createOneTimeCodeEvaluator, type OneTimeCodeCheckPort } from './one-time-code';
import { createPreAuthorizedCodeEvaluator, type OfferLookup } from './pre-authorized-code';
import { createWalletRiskAssessmentEvaluator } from './wallet-risk-assessment';

/** The database-backed I/O that evaluators need (store/evaluator-ports.ts), injected so they stay pure. */
export interface EvaluatorPorts {
  offers: OfferLookup;
  oneTimeCodes: OneTimeCodeCheckPort;
  authentications: AuthenticationStart;
  migrations: MigrationCheck;
}

/** The configuration the selection reads (config/config.ts `verification`). */
export interface VerificationTypeSettings {
  /** Offers the development types too (never in production). */
  devTypesEnabled: boolean;
  /** The issuer's login page for issuer-surface authentication (a handle is appended). */
  issuerLoginUrl: string;
}

/** A risk score at or above this goes to a reviewer (profile §Verification types). */
const walletRiskReviewThreshold = 0.7;

/**
 * The verification types this issuer evaluates (profile §Verification types), each with the
 * I/O it needs: the development types only when enabled.
 */
export function createSupportedEvaluators(settings: VerificationTypeSettings, dependencies: EvaluatorPorts & { presentations: PresentationVerifier }): EvaluatorRegistry {
  const evaluators: VerificationEvaluator[] = [
    identityEvidenceEvaluator,
    createWalletRiskAssessmentEvaluator({ reviewThreshold: walletRiskReviewThreshold }),
    createPreAuthorizedCodeEvaluator(dependencies.offers),
    createDeviceMigrationEvaluator(dependencies.migrations),
    createOneTimeCodeEvaluator(dependencies.oneTimeCodes),
    createIssuerAuthenticationEvaluator({ start: dependencies.authentications, loginUrl: settings.issuerLoginUrl }),
    createCredentialPresentationEvaluator(dependencies.presentations),
  ];
  if (settings.devTypesEnabled) evaluators.push(...developmentEvaluators);
  return createEvaluatorRegistry(evaluators);
}
