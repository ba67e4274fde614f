import { lintProbes, type LintProbe } from '../support/lint-probes';

/**
 * Runs the project's ESLint configuration over probe files placed in every production folder:
 * none may import dev/ (the development PKI, the codec server, process supervision), so a
 * production build never depends on development-only code. Like workflow-boundary-lint.test.ts.
 */
const productionFolders = ['api', 'activities', 'workflows', 'workers', 'store', 'clients', 'domain', 'crypto', 'config', 'cli'] as const;
const toolingFolders = ['bench', 'test'] as const;

const devImport = "import { createCertificateAuthority } from '../../dev/dev-pki';\nexport const used = createCertificateAuthority;\n";
const devTypeImport = "import type { IssuedCertificate } from '../../dev/dev-pki';\nexport type Used = IssuedCertificate;\n";
const domainImport = "import { isTerminal } from '../../domain/verification-state';\nexport const used = isTerminal;\n";

const probes: LintProbe[] = [
  ...productionFolders.flatMap((folder) => [
    { folder, name: 'devModule', code: devImport },
    { folder, name: 'devType', code: devTypeImport },
    { folder, name: 'domainModule', code: domainImport },
  ]),
  // One level deeper: the pattern does not depend on how many ../ lead to dev/.
  { folder: 'api/admin', name: 'devModule', code: "import { startCodecServer } from '../../../dev/codec-server';\nexport const used = startCodecServer;\n" },
  ...toolingFolders.map((folder) => ({ folder, name: 'devModule', code: devImport })),
];

let rules: Record<string, string[]> = {};
beforeAll(() => {
  rules = lintProbes('dev', probes);
}, 60_000);

describe('lint rule: production code never imports dev/', () => {
  it.each(productionFolders)('forbids %s/ to import a dev/ module', (folder) => {
    expect(rules[`${folder}/devModule`]).toContain('no-restricted-imports');
  });

  it.each(productionFolders)('forbids %s/ to import a type from dev/', (folder) => {
    expect(rules[`${folder}/devType`]).toContain('no-restricted-imports');
  });

  it('forbids it from a nested folder too (api/admin/)', () => {
    expect(rules['api/admin/devModule']).toContain('no-restricted-imports');
  });

  it.each(productionFolders)('still allows %s/ to import domain/', (folder) => {
    expect(rules[`${folder}/domainModule`]).toEqual([]);
  });

  it.each(toolingFolders)('allows %s/ to import dev/', (folder) => {
    expect(rules[`${folder}/devModule`]).toEqual([]);
  });
});
