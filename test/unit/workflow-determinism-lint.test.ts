import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Runs the project's ESLint configuration over probe files placed where workflow and domain
 * code lives, once for all cases (ESLint's flat config loads through dynamic import, which
 * jest's module system does not run, so it runs as the CLI does).
 */
const root = path.resolve(__dirname, '../..');
const probeDirs = [path.join(root, 'workflows', '__lint_probe__'), path.join(root, 'domain', '__lint_probe__')];

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
  const files: string[] = [];
  try {
    for (const dir of probeDirs) mkdirSync(dir, { recursive: true });
    for (const [name, [folder, code]] of Object.entries(probes)) {
      const file = path.join(root, folder, '__lint_probe__', `${name}.ts`);
      writeFileSync(file, code);
      files.push(file);
    }
    let output: string;
    try {
      output = execFileSync(path.join(root, 'node_modules/.bin/eslint'), ['--format', 'json', '--no-warn-ignored', ...files], { cwd: root, encoding: 'utf8' });
    } catch (error) {
      output = (error as { stdout: string }).stdout; // exit code 1: lint errors found, as expected
    }
    const results = JSON.parse(output) as { filePath: string; messages: { ruleId: string | null; message: string }[] }[];
    rulesByProbe = Object.fromEntries(results.map((r) => [path.basename(r.filePath, '.ts'), r.messages.map((m) => m.ruleId ?? m.message)]));
  } finally {
    for (const dir of probeDirs) rmSync(dir, { recursive: true, force: true });
  }
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
