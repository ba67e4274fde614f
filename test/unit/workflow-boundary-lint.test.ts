import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Runs the project's ESLint configuration over probe files placed in api/, activities/ and
 * store/, which may reach a workflow only through its messages.ts (STYLE.md: "nothing imports
 * upward into workflows/ internals"). Run as the CLI does, like workflow-determinism-lint.test.ts.
 */
const root = path.resolve(__dirname, '../..');
const folders = ['api', 'activities', 'store'] as const;
const probeDirs = folders.map((folder) => path.join(root, folder, '__lint_probe__'));

const imports = {
  workflowState: "import { afterAttempt } from '../../workflows/verification/state';\nexport const used = afterAttempt;\n",
  workflowCodeAsType: "import type { verificationWorkflow } from '../../workflows/verification/workflow';\nexport type Used = typeof verificationWorkflow;\n",
  workflowIndex: "import { verificationWorkflow } from '../../workflows';\nexport const used = verificationWorkflow;\n",
  searchAttributes:
    "import { verificationStatusAttribute } from '../../workflows/verification/search-attributes';\nexport const used = verificationStatusAttribute;\n",
  otherWorkflowInternals: "import { reconciliationWorkflow } from '../../workflows/reconciliation/workflow';\nexport const used = reconciliationWorkflow;\n",
  messages: [
    "import { verdictSignal } from '../../workflows/verification/messages';",
    "import type { ReconciliationInput } from '../../workflows/reconciliation/messages';",
    "import { supplementRefusal } from '../../domain/verification-refusals';",
    'export const used: [typeof verdictSignal, typeof supplementRefusal, ReconciliationInput | undefined] = [verdictSignal, supplementRefusal, undefined];',
    '',
  ].join('\n'),
} as const;
type Probe = keyof typeof imports;

let rules: Record<string, string[]> = {};
const key = (folder: string, probe: string) => `${folder}/${probe}`;

beforeAll(() => {
  const files: string[] = [];
  try {
    for (const dir of probeDirs) mkdirSync(dir, { recursive: true });
    for (const folder of folders) {
      for (const [probe, code] of Object.entries(imports)) {
        const file = path.join(root, folder, '__lint_probe__', `${probe}.ts`);
        writeFileSync(file, code);
        files.push(file);
      }
    }
    let output: string;
    try {
      output = execFileSync(path.join(root, 'node_modules/.bin/eslint'), ['--format', 'json', '--no-warn-ignored', ...files], { cwd: root, encoding: 'utf8' });
    } catch (error) {
      output = (error as { stdout: string }).stdout; // exit code 1: lint errors found, as expected
    }
    const results = JSON.parse(output) as { filePath: string; messages: { ruleId: string | null; message: string }[] }[];
    rules = Object.fromEntries(
      results.map((r) => [
        key(path.relative(root, r.filePath).split(path.sep)[0] ?? '', path.basename(r.filePath, '.ts')),
        r.messages.map((m) => m.ruleId ?? m.message),
      ]),
    );
  } finally {
    for (const dir of probeDirs) rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

const forbidden: Probe[] = ['workflowState', 'workflowCodeAsType', 'workflowIndex', 'searchAttributes', 'otherWorkflowInternals'];

describe('lint rule: api/, activities/ and store/ reach workflows only through messages.ts', () => {
  it.each(folders.flatMap((folder) => forbidden.map((probe) => [folder, probe] as const)))('forbids %s/ to import %s', (folder, probe) => {
    expect(rules[key(folder, probe)]).toContain('no-restricted-imports');
  });

  it.each(folders)('allows %s/ to import a workflow’s messages.ts and domain/', (folder) => {
    expect(rules[key(folder, 'messages')]).toEqual([]);
  });
});
