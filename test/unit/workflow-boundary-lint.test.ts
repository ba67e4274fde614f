import { lintProbes } from '../support/lint-probes';

/**
 * Runs the project's ESLint configuration over probe files placed in api/, activities/ and
 * store/, which may reach a workflow only through its messages.ts (STYLE.md: "nothing imports
 * upward into workflows/ internals").
 */
const folders = ['api', 'activities', 'store'] as const;

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
  rules = lintProbes(
    'boundary',
    folders.flatMap((folder) => Object.entries(imports).map(([name, code]) => ({ folder, name, code }))),
  );
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
