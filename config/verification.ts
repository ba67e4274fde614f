import { readFileSync } from 'node:fs';
import { createCredentialCatalogue, type CredentialCatalogue, type CredentialConfigurationPolicy } from '../domain/credential-configurations';
import { createEvaluatorRegistry, type EvaluatorRegistry, type VerificationEvaluator } from '../domain/verification-types/evaluator';
import { devApproveType, developmentEvaluators } from '../domain/verification-types/development';
import { identityEvidenceEvaluator, identityEvidenceType } from '../domain/verification-types/identity-evidence';
import { createWalletRiskAssessmentEvaluator, walletRiskAssessmentType } from '../domain/verification-types/wallet-risk-assessment';
import type { AppConfig } from './config';
import type { VerificationWorkflowInput } from '../workflows/verification/messages';
import type { EvaluatorPorts } from '../activities/evaluator-ports';
import { createDeviceMigrationEvaluator, deviceMigrationType } from '../domain/verification-types/device-migration';
import { createPreAuthorizedCodeEvaluator, preAuthorizedCodeType } from '../domain/verification-types/pre-authorized-code';
import { createOneTimeCodeEvaluator, oneTimeCodeType } from '../domain/verification-types/one-time-code';
import { createIssuerAuthenticationEvaluator, issuerAuthenticationType } from '../domain/verification-types/issuer-authentication';
import { createCredentialPresentationEvaluator, credentialPresentationType, type PresentationVerifier } from '../domain/verification-types/credential-presentation';
import { verifySdJwtVcPresentation, type TrustedCredentialIssuer } from '../crypto/sd-jwt-vc-presentation';

/** The development catalogue: what `npm start` offers (profile §Development catalogue). */
export const developmentCatalogue: CredentialConfigurationPolicy[] = [
  {
    id: 'org.iso.18013.5.1.mDL',
    format: 'mso_mdoc',
    acceptedVerificationTypes: [
      devApproveType,
      identityEvidenceType,
      walletRiskAssessmentType,
      preAuthorizedCodeType,
      deviceMigrationType,
      oneTimeCodeType,
      issuerAuthenticationType,
      credentialPresentationType,
    ],
    maxDevices: 2,
  },
  { id: 'eu.europa.ec.eudi.pid.1', format: 'dc+sd-jwt', acceptedVerificationTypes: [devApproveType, identityEvidenceType, preAuthorizedCodeType, deviceMigrationType], maxDevices: 1 },
];

export function loadCredentialCatalogue(config: AppConfig['verification']): CredentialCatalogue {
  if (config.catalogueFile) return createCredentialCatalogue(JSON.parse(readFileSync(config.catalogueFile, 'utf8')) as CredentialConfigurationPolicy[]);
  if (!config.devTypesEnabled) throw new Error('S2S_CREDENTIAL_CATALOGUE_FILE is required unless S2S_ENABLE_DEV_VERIFICATION_TYPES=true');
  return createCredentialCatalogue(developmentCatalogue);
}

export function loadEvaluators(config: AppConfig['verification'], ports: EvaluatorPorts): EvaluatorRegistry {
  const evaluators: VerificationEvaluator[] = [
    identityEvidenceEvaluator,
    createWalletRiskAssessmentEvaluator({ reviewThreshold: 0.7 }),
    createPreAuthorizedCodeEvaluator(ports.offers),
    createDeviceMigrationEvaluator(ports.migrations),
    createOneTimeCodeEvaluator(ports.oneTimeCodes),
    createIssuerAuthenticationEvaluator({ start: ports.authentications, loginUrl: config.issuerLoginUrl }),
    createCredentialPresentationEvaluator(createPresentationVerifier(config)),
  ];
  if (config.devTypesEnabled) evaluators.push(...developmentEvaluators);
  return createEvaluatorRegistry(evaluators);
}


/** Credential presentations are checked against the trusted issuers file (none when unset). */
function createPresentationVerifier(config: AppConfig['verification']): PresentationVerifier {
  const trusted = config.trustedIssuersFile ? (JSON.parse(readFileSync(config.trustedIssuersFile, 'utf8')) as TrustedCredentialIssuer[]) : [];
  return {
    verify: (presentation, nonce) => verifySdJwtVcPresentation(presentation, { trusted, audience: config.presentationAudience, nonce }),
  };
}

/** The settings every VerificationWorkflow starts with: the API's initiate and reconciliation use the same. */
export function verificationWorkflowSettings(config: AppConfig): Pick<VerificationWorkflowInput, 'initialDecisionWaitMs' | 'idleExpiryMs' | 'limits'> {
  return {
    initialDecisionWaitMs: config.api.initialDecisionWaitMs,
    idleExpiryMs: config.verification.idleExpiryMs,
    limits: { requestDeadlineMs: config.verification.requestDeadlineMs, maxAttempts: config.verification.maxAttempts },
  };
}
