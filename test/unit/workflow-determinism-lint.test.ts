import { lintProbes } from '../support/lint-probes';

/**
 * Runs the project's ESLint configuration over probe files placed where workflow and domain
 * code lives, once for all cases (test/support/lint-probes.ts).
 */

const probes = {
  nodeBuiltin: ['workflows', "import { readFileSync } from 'node:fs';\nexport const used = readFileSync;\n"],
  databaseDriver: ['workflows', "import { MongoClient } from 'mongodb';\nexport const used = MongoClient;\n"],
  activityImplementation: [
    'workflows',
    "import { createVerificationActivities } from '../../activities/verification-activities';\nexport const used = createVerificationActivities;\n",
  ],
  configuration: ['workflows', "import { createLogger } from '../../config/logger';\nexport const used = createLogger;\n"],
  httpFramework: ['workflows', "import Koa from 'koa';\nexport const used = Koa;\n"],
  timer: ['workflows', 'export const used = setTimeout;\n'],
  allowed: [
    'workflows',
    [
      "import { condition } from '@temporalio/workflow';",
      "import type { VerificationActivities } from '../../activities/verification-activities';",
      "import { isTerminal } from '../../domain/verification-state';",
      'export const used: [typeof condition, typeof isTerminal, VerificationActivities | undefined] = [condition, isTerminal, undefined];',
      '',
    ].join('\n'),
  ],
  domainIo: ['domain', "import { MongoClient } from 'mongodb';\nexport const used = MongoClient;\n"],
} as const;

let rulesByProbe: Record<string, string[]> = {};

beforeAll(() => {
  const byFolder = lintProbes(
    'determinism',
    Object.entries(probes).map(([name, [folder, code]]) => ({ folder, name, code })),
  );
  rulesByProbe = Object.fromEntries(Object.entries(byFolder).map(([folderAndName, found]) => [folderAndName.split('/').pop() as string, found]));
}, 60_000);

describe('lint rules that keep workflow code deterministic (STYLE.md)', () => {
  it.each(['nodeBuiltin', 'databaseDriver', 'activityImplementation', 'configuration', 'httpFramework'])('forbids %s imports in workflows/', (probe) => {
    expect(rulesByProbe[probe]).toContain('no-restricted-imports');
  });

  it('forbids timers in workflows/', () => {
    expect(rulesByProbe.timer).toContain('no-restricted-globals');
  });

  it('allows the workflow SDK, pure domain modules and type-only activity imports', () => {
    expect(rulesByProbe.allowed).toEqual([]);
  });

  it('keeps domain/ free of I/O', () => {
    expect(rulesByProbe.domainIo).toContain('no-restricted-imports');
  });
});
