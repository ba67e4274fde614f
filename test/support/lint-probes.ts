import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export interface LintProbe {
  /** Where the probe is placed, relative to the repository root (e.g. `api`, `api/admin`). */
  folder: string;
  name: string;
  code: string;
}

/**
 * Lints probe files with the project's ESLint configuration, run as the CLI does (its flat
 * config loads through dynamic import, which jest's module system does not run). Each probe is
 * written to `<folder>/__lint_probe_<tag>__/<name>.ts`, so an import `../../x` from a probe
 * resolves as it would from a module directly in `<folder>`'s subfolder; the directories are
 * removed afterwards. Returns the rule ids reported, by `<folder>/<name>`.
 */
export function lintProbes(tag: string, probes: readonly LintProbe[]): Record<string, string[]> {
  const dirs = new Set<string>();
  const files = new Map<string, string>();
  try {
    for (const probe of probes) {
      const dir = path.join(root, probe.folder, `__lint_probe_${tag}__`);
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
      const file = path.join(dir, `${probe.name}.ts`);
      writeFileSync(file, probe.code);
      files.set(file, `${probe.folder}/${probe.name}`);
    }
    let output: string;
    try {
      output = execFileSync(path.join(root, 'node_modules/.bin/eslint'), ['--format', 'json', '--no-warn-ignored', ...files.keys()], {
        cwd: root,
        encoding: 'utf8',
      });
    } catch (error) {
      output = (error as { stdout: string }).stdout; // exit code 1: lint errors found, as expected
    }
    const results = JSON.parse(output) as { filePath: string; messages: { ruleId: string | null; message: string }[] }[];
    return Object.fromEntries(results.map((r) => [files.get(r.filePath) ?? r.filePath, r.messages.map((m) => m.ruleId ?? m.message)]));
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
