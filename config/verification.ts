import { readFileSync } from 'node:fs';
import type { CredentialConfiguration } from '../domain/credential-configurations';
import { parseCredentialCatalogue, readCredentialCatalogueFile } from './credential-catalogue-file';
import { membershipCard, mobileDrivingLicence, personIdentificationData } from './shipped-credential-configurations';
import { devApproveType } from '../domain/verification-types/development';
import { identityEvidenceType } from '../domain/verification-types/identity-evidence';
import { walletRiskAssessmentType } from '../domain/verification-types/wallet-risk-assessment';
import type { AppConfig } from './config';
import type { VerificationWorkflowInput } from '../workflows/verification/messages';
import { deviceMigrationType } from '../domain/verification-types/device-migration';
import { preAuthorizedCodeType } from '../domain/verification-types/pre-authorized-code';
import { oneTimeCodeType } from '../domain/verification-types/one-time-code';
import { issuerAuthenticationType } from '../domain/verification-types/issuer-authentication';
import { credentialPresentationType } from '../domain/verification-types/credential-presentation';
import type { TrustedCredentialIssuer } from '../crypto/sd-jwt-vc-presentation';

/**
 * The development catalogue: what `npm start` offers (profile §Development catalogue), the
 * shipped configurations with development verification types and no key attestation (the
 * development wallet has none). Checked like a file at start (readCredentialCatalogue).
 */
export const developmentCatalogue: CredentialConfiguration[] = [
  {
    ...mobileDrivingLicence,
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
    keyAttestation: { required: false, trustedIssuers: [] },
  },
  {
    ...personIdentificationData,
    acceptedVerificationTypes: [devApproveType, identityEvidenceType, preAuthorizedCodeType, deviceMigrationType],
    maxDevices: 1,
    keyAttestation: { required: false, trustedIssuers: [] },
  },
  {
    ...membershipCard,
    acceptedVerificationTypes: [devApproveType, preAuthorizedCodeType, oneTimeCodeType, issuerAuthenticationType, deviceMigrationType],
    maxDevices: 3,
    keyAttestation: { required: false, trustedIssuers: [] },
  },
];

/**
 * The credential configurations: the catalogue file (validated, profile §Credential
 * configurations), or the development catalogue when the development types are enabled.
 */
export function readCredentialCatalogue(config: AppConfig['verification']): CredentialConfiguration[] {
  if (config.catalogueFile) return readCredentialCatalogueFile(config.catalogueFile);
  if (!config.devTypesEnabled) throw new Error('S2S_CREDENTIAL_CATALOGUE_FILE is required unless S2S_ENABLE_DEV_VERIFICATION_TYPES=true');
  return parseCredentialCatalogue(JSON.stringify(developmentCatalogue), 'the development catalogue');
}

/** The issuers whose credential presentations are accepted (none when the file is unset). */
export function readTrustedIssuers(config: AppConfig['verification']): TrustedCredentialIssuer[] {
  return config.trustedIssuersFile ? (JSON.parse(readFileSync(config.trustedIssuersFile, 'utf8')) as TrustedCredentialIssuer[]) : [];
}

/** The settings every VerificationWorkflow starts with: the API's initiate and reconciliation use the same. */
export function verificationWorkflowSettings(config: AppConfig): Pick<VerificationWorkflowInput, 'initialDecisionWaitMs' | 'idleExpiryMs' | 'limits'> {
  return {
    initialDecisionWaitMs: config.api.initialDecisionWaitMs,
    idleExpiryMs: config.verification.idleExpiryMs,
    limits: { requestDeadlineMs: config.verification.requestDeadlineMs, maxAttempts: config.verification.maxAttempts },
  };
}
