import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Modes under the data directory, which holds private keys and the servers' data: nothing in it
 * is readable by other users. The directory itself is 0711, not 0700: when we are root,
 * PostgreSQL runs as the system user s2s-postgres (dev/postgres.ts) and must pass through it to
 * reach its cluster in <dataDir>/postgres; 0711 lets it enter without listing or reading anything.
 * Every folder below is 0700 and every file 0600.
 */
export const dataDirMode = 0o711;
export const privateDirMode = 0o700;
export const privateFileMode = 0o600;

/** A folder only we can enter (created 0700; modes are set explicitly, whatever the umask). */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: privateDirMode });
  chmodSync(dir, privateDirMode);
}

/** Removes group and other access from everything below `target` that we own (symlinks untouched). */
function tightenOwned(target: string): void {
  const stat = lstatSync(target);
  // Not ours: the PostgreSQL cluster of s2s-postgres, which PostgreSQL itself keeps 0700.
  if (stat.isSymbolicLink() || stat.uid !== process.getuid?.()) return;
  if ((stat.mode & 0o077) !== 0) chmodSync(target, stat.mode & 0o7700);
  if (stat.isDirectory()) for (const entry of readdirSync(target)) tightenOwned(path.join(target, entry));
}

/**
 * Creates the data directory 0711, or brings an existing one (from before these modes) to
 * 0711 and everything below that we own to no group or other access.
 */
export function preparePrivateDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: dataDirMode });
  chmodSync(dataDir, dataDirMode);
  for (const entry of readdirSync(dataDir)) tightenOwned(path.join(dataDir, entry));
}
