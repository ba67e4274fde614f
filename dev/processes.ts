import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { registerSearchAttributes, searchAttributeCliSpec } from '../clients/temporal/search-attributes';
import { issuerSearchAttributes } from '../workflows/search-attributes';
import { makePrivateDir, privateFileMode } from './private-files';
import type { ToolPaths } from './tools';

/** A child process of the development stack, with its output in a log file. */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

export interface StartProcessOptions {
  logDir: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user and group (needs root): PostgreSQL refuses to run as root. */
  uid?: number;
  gid?: number;
  /** What stop() sends first (default SIGTERM); SIGKILL follows after stopTimeoutMs (default 10 s). */
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs?: number;
}

export function startProcess(name: string, command: string, args: string[], options: StartProcessOptions): ManagedProcess {
  // Logs may quote request data: private to us, like everything under the data directory.
  makePrivateDir(options.logDir);
  const logFile = path.join(options.logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a', mode: privateFileMode });
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  // 'close' comes once the output pipes are drained too (after 'exit').
  const outputDrained = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    name,
    child,
    logFile,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(options.stopSignal ?? 'SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 10_000);
        await exited;
        clearTimeout(killer);
      }
      // The last lines (a shutdown message) reach the log before it closes; orphaned
      // grandchildren that still hold the pipes are not waited for long.
      let drainTimer: NodeJS.Timeout | undefined;
      await Promise.race([outputDrained, new Promise((resolve) => (drainTimer = setTimeout(resolve, 2_000)))]);
      clearTimeout(drainTimer);
      await new Promise<void>((resolve) => log.end(resolve));
    },
  };
}

/**
 * The first port the kernel hands out as the local port of outgoing connections (Linux
 * ip_local_port_range); 32768 where that cannot be read.
 */
function ephemeralPortsFrom(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port nothing listens on, for a server started next. Chosen below the ephemeral
 * range: a port the kernel picked (listen on 0) lies inside it, and any outgoing connection of
 * any process may take it as its local port before the server binds it (EADDRINUSE at start).
 */
export async function freePort(): Promise<number> {
  const top = ephemeralPortsFrom();
  const bottom = top - 10_000;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = bottom + Math.floor(Math.random() * (top - bottom));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free loopback port found in ${bottom}–${top - 1}`);
}

/** Resolves once host:port accepts TCP connections; fails early if the process dies. */
export async function waitForPort(port: number, timeoutMs: number, process?: ManagedProcess, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process && (process.child.exitCode !== null || process.child.signalCode !== null)) {
      throw new Error(`${process.name} exited before listening on ${port}; see ${process.logFile}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on ${host}:${port} within ${timeoutMs} ms${process ? `; see ${process.logFile}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves once the process's log contains `marker`; fails early if the process dies. */
export async function waitForLogLine(process: ManagedProcess, marker: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process.child.exitCode !== null || process.child.signalCode !== null) throw new Error(`${process.name} exited; see ${process.logFile}`);
    let log = '';
    try {
      log = readFileSync(process.logFile, 'utf8');
    } catch {
      // not written yet
    }
    if (log.includes(marker)) return;
    if (Date.now() > deadline) throw new Error(`${process.name} did not log "${marker}" within ${timeoutMs} ms; see ${process.logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The Temporal CLI dev server with SQLite persistence, our search attributes and (optionally) its Web UI. */
export async function startTemporalDevServer(
  tools: ToolPaths,
  options: { port: number; uiPort?: number; codecEndpoint?: string; dbFile: string; logDir: string },
): Promise<ManagedProcess> {
  makePrivateDir(path.dirname(options.dbFile));
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--db-filename', options.dbFile, '--log-level', 'warn'];
  args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  // Task-queue fairness, so one tenant's backlog of outbound calls does not hold back another's
  // (workflows/outbound-activity-options.ts sets the tenant as fairness key). Off by default in
  // the server: without it the keys are ignored and a queue is first come, first served. Fairness
  // holds within a task-queue partition; one partition per queue (a single-node server needs no
  // more) makes it exact here instead of depending on which partition a poll reaches.
  for (const value of ['matching.enableFairness=true', 'matching.numTaskqueueReadPartitions=1', 'matching.numTaskqueueWritePartitions=1']) {
    args.push('--dynamic-config-value', value);
  }
  for (const key of issuerSearchAttributes) args.push('--search-attribute', searchAttributeCliSpec(key));
  if (options.uiPort) args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  if (options.uiPort && options.codecEndpoint) args.push('--ui-codec-endpoint', options.codecEndpoint);
  else args.push('--headless');
  const server = startProcess('temporal', tools.temporal, args, { logDir: options.logDir });
  await waitForPort(options.port, 30_000, server);
  // The flags above take effect only when the server creates its database; one kept from an
  // older release gets the attributes added since here.
  const connection = await Connection.connect({ address: `127.0.0.1:${options.port}` });
  try {
    await registerSearchAttributes(connection, 'default');
  } finally {
    await connection.close();
  }
  return server;
}

/** FerretDB's storage: a PostgreSQL database (by URL) or SQLite files in a directory. */
export type FerretDbBackend = { postgresqlUrl: string } | { sqliteDir: string };

/** FerretDB (MongoDB wire protocol) on loopback, storing in PostgreSQL or SQLite. */
export async function startFerretDb(tools: ToolPaths, options: { port: number; backend: FerretDbBackend; logDir: string }): Promise<ManagedProcess> {
  const args = ['-listen-addr', `127.0.0.1:${options.port}`];
  if ('postgresqlUrl' in options.backend) {
    args.push('-backend', 'postgresql', '-postgresql-url', options.backend.postgresqlUrl);
  } else {
    makePrivateDir(options.backend.sqliteDir);
    args.push('-backend', 'sqlite', '-sqlite-dir', options.backend.sqliteDir);
  }
  const server = startProcess('ferretdb', tools.ferretdb, args, { logDir: options.logDir });
  await waitForPort(options.port, 15_000, server);
  return server;
}
