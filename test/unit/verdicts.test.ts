import { randomUUID } from 'node:crypto';
import Ajv from 'ajv';
import type { ApiContext } from '../../api/context';
import { validateBody } from '../../api/middleware/validate-body';
import { ProblemError, ProblemType } from '../../domain/problems';
import { ProviderVerdictRequest, requireCompleteVerdict, ReviewDecisionRequest, VerificationVerdict, type VerdictDecision } from '../../domain/verdicts';
import { supplementRefusal, VerificationRefusal } from '../../domain/verification-refusals';
import { awaitsVerificationData, VerificationState } from '../../domain/verification-state';

async function validate(schema: Parameters<typeof validateBody>[0], body: unknown): Promise<ProblemError | undefined> {
  try {
    await validateBody(schema)({ request: { body }, state: {} } as unknown as ApiContext, async () => undefined);
    return undefined;
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
}

const requestedItem = { type: 'urn:example:document', id: 'doc', required: true };

describe('verdict schemas (domain/verdicts.ts)', () => {
  it('a reviewer decision and a provider verdict share the decision fields and their bounds', async () => {
    const decision = { outcome: 'DENIED', reasonCode: 'DOCUMENT_FORGED', message: 'The document could not be verified.' };
    expect(await validate(ReviewDecisionRequest, decision)).toBeUndefined();
    const provider = { tenantId: 't', sessionId: randomUUID(), verificationId: randomUUID(), provider: 'doc-check', ...decision };
    expect(await validate(ProviderVerdictRequest, provider)).toBeUndefined();
    for (const [schema, body] of [
      [ReviewDecisionRequest, { ...decision, reasonCode: 'lower case' }],
      [ProviderVerdictRequest, { ...provider, reasonCode: 'lower case' }],
    ] as const) {
      expect((await validate(schema, body))?.validationErrors?.map((e) => e.pointer)).toEqual(['/reasonCode']);
    }
  });

  it('refuses an unknown outcome and a provider verdict without identifiers', async () => {
    expect((await validate(ReviewDecisionRequest, { outcome: 'MAYBE' }))?.validationErrors?.map((e) => e.pointer)).toContain('/outcome');
    expect((await validate(ProviderVerdictRequest, { provider: 'doc-check', outcome: 'APPROVED' }))?.validationErrors?.map((e) => e.pointer).sort()).toEqual(
      ['/sessionId', '/tenantId', '/verificationId'].sort(),
    );
  });

  it('the verdict signal payload is a decision with its source and decider', () => {
    const check = new Ajv({ strict: false }).compile(VerificationVerdict);
    expect(check({ outcome: 'APPROVED', source: 'reviewer', decidedBy: 'reviewer-7' })).toBe(true);
    expect(check({ outcome: 'APPROVED', source: 'robot', decidedBy: 'reviewer-7' })).toBe(false);
    expect(check({ outcome: 'APPROVED', source: 'provider' })).toBe(false);
  });
});

describe('requireCompleteVerdict (profile §12 Verdicts)', () => {
  const refusal = (verdict: VerdictDecision) => {
    try {
      requireCompleteVerdict(verdict);
      return undefined;
    } catch (error) {
      return error as ProblemError;
    }
  };

  it.each([
    ['a denial without a message', { outcome: 'DENIED', reasonCode: 'DOCUMENT_FORGED' }, '/message'],
    ['a denial without a reasonCode', { outcome: 'DENIED', message: 'No.' }, '/message'],
    ['a request for more data that names nothing', { outcome: 'ADDITIONAL_INFO_REQUIRED' }, '/request'],
  ] as const)('refuses %s as invalid-request', (_label, verdict, pointer) => {
    const problem = refusal(verdict);
    expect(problem?.type).toBe(ProblemType.invalidRequest);
    expect(problem?.validationErrors?.map((e) => e.pointer)).toEqual([pointer]);
  });

  it.each<[string, VerdictDecision]>([
    ['an approval', { outcome: 'APPROVED' }],
    ['a complete denial', { outcome: 'DENIED', reasonCode: 'DOCUMENT_FORGED', message: 'No.' }],
    ['a rejection without details', { outcome: 'REJECTED' }],
    ['a request for a named item', { outcome: 'ADDITIONAL_INFO_REQUIRED', request: [requestedItem] }],
  ])('accepts %s', (_label, verdict) => {
    expect(refusal(verdict)).toBeUndefined();
  });
});

describe('supplementRefusal (domain/verification-refusals.ts)', () => {
  it.each([
    [VerificationState.additionalInfoRequired, undefined],
    [VerificationState.rejected, undefined],
    [VerificationState.pending, VerificationRefusal.notAwaitingData],
    [VerificationState.approved, VerificationRefusal.final],
    [VerificationState.denied, VerificationRefusal.final],
    [VerificationState.expired, VerificationRefusal.final],
  ])('in %s: %s', (status, expected) => {
    expect(supplementRefusal({ status })).toBe(expected);
    expect(awaitsVerificationData({ status })).toBe(expected === undefined);
  });
});
