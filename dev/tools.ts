import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import versions from './tool-versions.json';

/**
 * Where dev/bootstrap.sh puts the servers it builds: outside the clone, keyed by version, so
 * every clone on a machine shares them (S2S_TOOLS_DIR overrides the location).
 */
export function toolsDir(): string {
  return process.env.S2S_TOOLS_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 's2s-issuer');
}

export interface ToolPaths {
  temporal: string;
  temporalTestServer: string;
  ferretdb: string;
}

/** Same key as dev/bootstrap.sh: SHA-256 over the launcher's main.go, go.mod and go.sum. */
function ferretdbLauncherHash(): string {
  const source = path.resolve(__dirname, '..', '..', 'dev', 'ferretdb');
  const dir = existsSync(path.join(source, 'main.go')) ? source : path.resolve(__dirname, 'ferretdb');
  const hash = createHash('sha256');
  for (const file of ['main.go', 'go.mod', 'go.sum']) hash.update(readFileSync(path.join(dir, file)));
  return hash.digest('hex').slice(0, 12);
}

export function toolPaths(): ToolPaths {
  const root = toolsDir();
  const venv = path.join(root, `temporal-venv-${versions.temporalBin}-${versions.temporalTestServerBin}`, 'bin');
  const paths = {
    temporal: path.join(venv, 'temporal'),
    temporalTestServer: path.join(venv, 'temporal-test-server'),
    ferretdb: path.join(root, `ferretdb-${versions.ferretdb}-${ferretdbLauncherHash()}`, 'ferretdb'),
  };
  for (const [name, file] of Object.entries(paths)) {
    if (!existsSync(file)) throw new Error(`${name} is not installed at ${file}: run "bash dev/bootstrap.sh" (npm start and npm test do)`);
  }
  return paths;
}

export { versions as toolVersions };
