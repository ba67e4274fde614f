import type { EvaluationContext } from '../../domain/verification-types/evaluator';
import { identityEvidenceEvaluator } from '../../domain/verification-types/identity-evidence';
import { createWalletRiskAssessmentEvaluator } from '../../domain/verification-types/wallet-risk-assessment';

const fromClient: EvaluationContext = { tenantId: 't', sessionId: 's', verificationId: 'v', credentialConfigurationIds: ['x'], origin: 'WALLET_CLIENT' };
const fromServer: EvaluationContext = { ...fromClient, origin: 'WALLET_SERVER' };

describe('identity evidence evaluator', () => {
  const item = { id: 'e', type: identityEvidenceEvaluator.type, documentType: 'PASSPORT', documentImageRefs: ['a'], selfieRef: 's' };

  it('sends complete evidence from the Wallet Client to review', async () => {
    expect(await identityEvidenceEvaluator.evaluate(item, fromClient)).toEqual({ verdict: 'review', reason: expect.stringContaining('PASSPORT') });
  });

  it('rejects evidence the Wallet Server supplied, and incomplete evidence', async () => {
    expect(await identityEvidenceEvaluator.evaluate(item, fromServer)).toMatchObject({ verdict: 'rejected', reasonCode: 'EVIDENCE_NOT_FROM_CLIENT' });
    expect(await identityEvidenceEvaluator.evaluate({ ...item, selfieRef: undefined }, fromClient)).toMatchObject({ reasonCode: 'EVIDENCE_INCOMPLETE' });
    expect(await identityEvidenceEvaluator.evaluate({ ...item, documentImageRefs: ['a', 'b', 'c', 'd', 'e'] }, fromClient)).toMatchObject({
      reasonCode: 'EVIDENCE_INCOMPLETE',
    });
  });
});

describe('Wallet Server risk assessment evaluator', () => {
  const evaluator = createWalletRiskAssessmentEvaluator({ reviewThreshold: 0.7 });
  const item = (fields: Record<string, unknown>) => ({ id: 'r', type: evaluator.type, ...fields });

  it.each([
    [{ deviceIntegrity: 'PASS', riskScore: 0.2 }, { verdict: 'satisfied' }],
    [{ deviceIntegrity: 'PASS', riskScore: 0.7 }, { verdict: 'review' }],
    [
      { deviceIntegrity: 'FAIL', riskScore: 0 },
      { verdict: 'rejected', reasonCode: 'DEVICE_INTEGRITY_FAILED' },
    ],
    [
      { deviceIntegrity: 'PASS', riskScore: 1.5 },
      { verdict: 'rejected', reasonCode: 'ASSESSMENT_MALFORMED' },
    ],
    [{ riskScore: 0.1 }, { verdict: 'rejected', reasonCode: 'ASSESSMENT_MALFORMED' }],
  ])('%j → %j', async (fields, verdict) => {
    expect(await evaluator.evaluate(item(fields), fromServer)).toMatchObject(verdict);
  });

  it('accepts an assessment only from the Wallet Server', async () => {
    expect(await evaluator.evaluate(item({ deviceIntegrity: 'PASS', riskScore: 0.1 }), fromClient)).toMatchObject({ reasonCode: 'ASSESSMENT_NOT_FROM_SERVER' });
  });
});
