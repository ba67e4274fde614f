import { createCredentialPresentationEvaluator, credentialPresentationDescription, type PresentationVerifier } from './credential-presentation';
import {
  devAdditionalInfoDescription,
  devAdditionalInfoEvaluator,
  devApproveDescription,
  devApproveEvaluator,
  devPendingDescription,
  devPendingEvaluator,
} from './development';
import { createDeviceMigrationEvaluator, deviceMigrationDescription, type MigrationCheck } from './device-migration';
import { createEvaluatorRegistry, type EvaluatorRegistry, type VerificationEvaluator, type VerificationTypeDescription } from './evaluator';
import { identityEvidenceDescription, identityEvidenceEvaluator } from './identity-evidence';
import { createIssuerAuthenticationEvaluator, issuerAuthenticationDescription, type AuthenticationStart } from './issuer-authentication';
import { createOneTimeCodeEvaluator, oneTimeCodeDescription, type OneTimeCodeCheckPort } from './one-time-code';
import { createPreAuthorizedCodeEvaluator, preAuthorizedCodeDescription, type OfferLookup } from './pre-authorized-code';
import { createWalletRiskAssessmentEvaluator, describeWalletRiskAssessment } from './wallet-risk-assessment';

/** The database-backed I/O that evaluators need (store/evaluator-ports.ts), injected so they stay pure. */
export interface EvaluatorPorts {
  offers: OfferLookup;
  oneTimeCodes: OneTimeCodeCheckPort;
  authentications: AuthenticationStart;
  migrations: MigrationCheck;
}

/** What evaluating needs besides the configuration: the ports and the presentation check (crypto/). */
export type EvaluatorDependencies = EvaluatorPorts & { presentations: PresentationVerifier };

/** The configuration the selection reads (config/config.ts `verification`). */
export interface VerificationTypeSettings {
  /** Offers the development types too (never in production). */
  devTypesEnabled: boolean;
  /** The issuer's login page for issuer-surface authentication (a handle is appended). */
  issuerLoginUrl: string;
}

/** A risk score at or above this goes to a reviewer (profile §Verification types). */
const walletRiskAssessmentOptions = { reviewThreshold: 0.7 };

interface SupportedType {
  description: VerificationTypeDescription;
  /** Offered only when the development types are enabled. */
  development?: true;
  createEvaluator(dependencies: EvaluatorDependencies, settings: VerificationTypeSettings): VerificationEvaluator;
}

/**
 * The verification types this issuer supports (profile §Verification types), in the order the
 * metadata lists them. The API only describes them; the worker evaluates them.
 */
const supportedTypes: readonly SupportedType[] = [
  { description: identityEvidenceDescription, createEvaluator: () => identityEvidenceEvaluator },
  {
    description: describeWalletRiskAssessment(walletRiskAssessmentOptions),
    createEvaluator: () => createWalletRiskAssessmentEvaluator(walletRiskAssessmentOptions),
  },
  { description: preAuthorizedCodeDescription, createEvaluator: (d) => createPreAuthorizedCodeEvaluator(d.offers) },
  { description: deviceMigrationDescription, createEvaluator: (d) => createDeviceMigrationEvaluator(d.migrations) },
  { description: oneTimeCodeDescription, createEvaluator: (d) => createOneTimeCodeEvaluator(d.oneTimeCodes) },
  {
    description: issuerAuthenticationDescription,
    createEvaluator: (d, settings) => createIssuerAuthenticationEvaluator({ start: d.authentications, loginUrl: settings.issuerLoginUrl }),
  },
  { description: credentialPresentationDescription, createEvaluator: (d) => createCredentialPresentationEvaluator(d.presentations) },
  { description: devApproveDescription, development: true, createEvaluator: () => devApproveEvaluator },
  { description: devAdditionalInfoDescription, development: true, createEvaluator: () => devAdditionalInfoEvaluator },
  { description: devPendingDescription, development: true, createEvaluator: () => devPendingEvaluator },
];

const selected = (settings: Pick<VerificationTypeSettings, 'devTypesEnabled'>) => supportedTypes.filter((t) => settings.devTypesEnabled || !t.development);

/** The supported types as the issuer metadata lists them: no I/O is needed to describe a type. */
export function describeSupportedVerificationTypes(settings: Pick<VerificationTypeSettings, 'devTypesEnabled'>): VerificationTypeDescription[] {
  return selected(settings).map((t) => t.description);
}

/** The evaluators of the supported types, each with the I/O it needs (the worker's evaluate activity). */
export function createSupportedEvaluators(settings: VerificationTypeSettings, dependencies: EvaluatorDependencies): EvaluatorRegistry {
  return createEvaluatorRegistry(selected(settings).map((t) => t.createEvaluator(dependencies, settings)));
}
