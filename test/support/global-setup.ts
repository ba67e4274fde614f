import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { developmentDatabaseBackend, startDevelopmentDatabase } from '../../dev/development-database';
import { freePort, startTemporalDevServer, type ManagedProcess } from '../../dev/processes';
import { toolPaths } from '../../dev/tools';

/**
 * Integration tests run against real servers started here, on free ports, with their data in a
 * fresh temporary folder: the Temporal CLI dev server and the development database (FerretDB on
 * PostgreSQL, or on SQLite with S2S_DEV_DATABASE=sqlite). global-teardown stops them.
 */
export default async function globalSetup(): Promise<void> {
  const tools = toolPaths();
  const dir = mkdtempSync(path.join(os.tmpdir(), 's2s-issuer-it-'));
  // PostgreSQL may run as an unprivileged user (when we are root): it must be able to enter.
  chmodSync(dir, 0o711);
  const [temporalPort, mongoPort] = [await freePort(), await freePort()];
  const logDir = path.join(dir, 'logs');
  // Started in this order, stopped in reverse (FerretDB before PostgreSQL).
  const servers: ManagedProcess[] = [];
  (globalThis as { __s2sServers?: ManagedProcess[] }).__s2sServers = servers;
  servers.push(await startTemporalDevServer(tools, { port: temporalPort, dbFile: path.join(dir, 'temporal.db'), logDir }));
  const database = await startDevelopmentDatabase({ tools, backend: developmentDatabaseBackend(), dir, mongoPort, logDir });
  servers.push(...database.processes);
  process.env.S2S_TEST_TEMPORAL_ADDRESS = `127.0.0.1:${temporalPort}`;
  process.env.S2S_TEST_MONGODB_URI = database.mongoUri;
  process.env.S2S_TEST_DIR = dir;
}
