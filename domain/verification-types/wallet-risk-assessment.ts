import type { VerificationEvaluator, VerificationTypeDescription } from './evaluator';

/**
 * The Wallet Server's own assessment of the Wallet Client Instance (S2S §VerificationDataResponse:
 * "risk or other attestation signals from the Wallet Server"; profile §Verification types).
 * Item fields: `deviceIntegrity` ("PASS" | "FAIL") and `riskScore` in [0, 1].
 * A failed integrity check rejects; a score at or above `reviewThreshold` goes to a reviewer;
 * otherwise it is satisfied. Accepted only from the Wallet Server.
 */
export const walletRiskAssessmentType = 'urn:s2s-issuer:verification-type:wallet-risk-assessment';

export function describeWalletRiskAssessment(options: { reviewThreshold: number }): VerificationTypeDescription {
  return { type: walletRiskAssessmentType, description: `Wallet Server risk assessment: deviceIntegrity PASS and riskScore below ${options.reviewThreshold}` };
}

export function createWalletRiskAssessmentEvaluator(options: { reviewThreshold: number }): VerificationEvaluator {
  return {
    ...describeWalletRiskAssessment(options),
    async evaluate(item, context) {
      if (context.origin !== 'WALLET_SERVER') return { verdict: 'rejected', reasonCode: 'ASSESSMENT_NOT_FROM_SERVER' };
      const score = item.riskScore;
      if ((item.deviceIntegrity !== 'PASS' && item.deviceIntegrity !== 'FAIL') || typeof score !== 'number' || score < 0 || score > 1) {
        return { verdict: 'rejected', reasonCode: 'ASSESSMENT_MALFORMED', details: 'deviceIntegrity PASS|FAIL and riskScore in [0,1] are required' };
      }
      if (item.deviceIntegrity === 'FAIL') return { verdict: 'rejected', reasonCode: 'DEVICE_INTEGRITY_FAILED' };
      if (score >= options.reviewThreshold) return { verdict: 'review', reason: `risk score ${score} at or above ${options.reviewThreshold}` };
      return { verdict: 'satisfied' };
    },
  };
}
