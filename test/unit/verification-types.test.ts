import { devApproveType, devPendingType } from '../../domain/verification-types/development';
import { createSupportedEvaluators, describeSupportedVerificationTypes, type EvaluatorDependencies } from '../../domain/verification-types/supported';
import { lintProbes } from '../support/lint-probes';

/**
 * The API lists the verification types from their descriptions; the worker evaluates them with
 * database-backed ports. Both come from one table (domain/verification-types/supported.ts).
 */
const unreachable = (): never => {
  throw new Error('describing or building an evaluator must not call its ports');
};
const dependencies: EvaluatorDependencies = {
  offers: { redeem: unreachable },
  oneTimeCodes: { check: unreachable },
  authentications: { begin: unreachable },
  migrations: { approvedSession: unreachable, claimDeviceSlot: unreachable },
  presentations: { verify: unreachable },
};
const settings = (devTypesEnabled: boolean) => ({ devTypesEnabled, issuerLoginUrl: 'https://issuer.test/login' });

describe('supported verification types', () => {
  it.each([true, false])('describes, in order, exactly the types the worker evaluates (development types enabled: %s)', (devTypesEnabled) => {
    const evaluated = [...createSupportedEvaluators(settings(devTypesEnabled), dependencies).values()].map((e) => ({
      type: e.type,
      description: e.description,
    }));
    expect(describeSupportedVerificationTypes(settings(devTypesEnabled))).toEqual(evaluated);
    expect(evaluated.length).toBeGreaterThan(0);
  });

  it('offers the development types only when they are enabled', () => {
    const types = (devTypesEnabled: boolean) => describeSupportedVerificationTypes(settings(devTypesEnabled)).map((t) => t.type);
    expect(types(true)).toEqual(expect.arrayContaining([devApproveType, devPendingType]));
    expect(types(false)).not.toContain(devApproveType);
    expect(types(false)).not.toContain(devPendingType);
    expect(types(false).every((type) => types(true).includes(type))).toBe(true);
  });
});

const evaluatorProbes = [
  { folder: 'api', name: 'ports', code: "import { createEvaluatorPorts } from '../../store/evaluator-ports';\nexport const used = createEvaluatorPorts;\n" },
  {
    folder: 'api',
    name: 'evaluators',
    code: "import { createSupportedEvaluators } from '../../domain/verification-types/supported';\nexport const used = createSupportedEvaluators;\n",
  },
  {
    folder: 'api',
    name: 'descriptions',
    code: "import { describeSupportedVerificationTypes } from '../../domain/verification-types/supported';\nexport const used = describeSupportedVerificationTypes;\n",
  },
  {
    folder: 'workers',
    name: 'evaluators',
    code: [
      "import { createEvaluatorPorts } from '../../store/evaluator-ports';",
      "import { createSupportedEvaluators } from '../../domain/verification-types/supported';",
      'export const used = [createEvaluatorPorts, createSupportedEvaluators];',
      '',
    ].join('\n'),
  },
];

describe('lint rule: the API builds no evaluators and no evaluator ports', () => {
  let probes: Record<string, string[]> = {};
  beforeAll(() => {
    probes = lintProbes('evaluators', evaluatorProbes);
  }, 60_000);

  it('forbids api/ to import the evaluator ports', () => {
    expect(probes['api/ports']).toContain('no-restricted-imports');
  });

  it('forbids api/ to build the evaluators', () => {
    expect(probes['api/evaluators']).toContain('no-restricted-imports');
  });

  it('allows api/ to describe the types', () => {
    expect(probes['api/descriptions']).toEqual([]);
  });

  it('allows workers/ to build evaluators with their ports', () => {
    expect(probes['workers/evaluators']).toEqual([]);
  });
});
