import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startFerretDb, startTemporalDevServer, type ManagedProcess } from '../../dev/processes';
import { toolPaths } from '../../dev/tools';

/**
 * Integration tests run against real servers started here, on free ports, with their data in a
 * fresh temporary folder: the Temporal CLI dev server and FerretDB. global-teardown stops them.
 */
export default async function globalSetup(): Promise<void> {
  const tools = toolPaths();
  const dir = mkdtempSync(path.join(os.tmpdir(), 's2s-issuer-it-'));
  const [temporalPort, mongoPort] = [await freePort(), await freePort()];
  const logDir = path.join(dir, 'logs');
  const servers: ManagedProcess[] = [];
  (globalThis as { __s2sServers?: ManagedProcess[] }).__s2sServers = servers;
  servers.push(await startTemporalDevServer(tools, { port: temporalPort, dbFile: path.join(dir, 'temporal.db'), logDir }));
  servers.push(await startFerretDb(tools, { port: mongoPort, dataDir: path.join(dir, 'ferretdb'), logDir }));
  process.env.S2S_TEST_TEMPORAL_ADDRESS = `127.0.0.1:${temporalPort}`;
  process.env.S2S_TEST_MONGODB_URI = `mongodb://127.0.0.1:${mongoPort}/`;
  process.env.S2S_TEST_DIR = dir;
}
