import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { assertSearchAttributesRegistered, missingSearchAttributes } from '../../clients/temporal/search-attributes';
import { freePort, startProcess, startTemporalDevServer, waitForPort, type ManagedProcess } from '../../dev/processes';
import { toolPaths } from '../../dev/tools';
import { issuerSearchAttributes } from '../../workflows/search-attributes';

/**
 * A dev server database kept from a release before some search attributes existed: the dev
 * server's --search-attribute flags apply only to a database it creates, so npm start registers
 * what is missing, and the API and the worker refuse to start on a namespace that lacks one
 * (naming the commands that fix it) instead of failing every workflow start later.
 */
describe('the issuer’s Temporal search attributes', () => {
  let dir: string;
  let server: ManagedProcess | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 's2s-search-attributes-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function connect(port: number, check: (connection: Connection) => Promise<void>): Promise<void> {
    const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
    try {
      await check(connection);
    } finally {
      await connection.close();
    }
  }

  it('are registered by npm start on a database that lacks them, and their absence stops a process at its start', async () => {
    const tools = toolPaths();
    const dbFile = path.join(dir, 'temporal.db');
    const port = await freePort();
    // The database as an older release left it: the server created it without our attributes.
    const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', dbFile, '--log-level', 'warn'];
    server = startProcess('temporal-older', tools.temporal, args, { logDir: dir });
    await waitForPort(port, 30_000, server);
    await connect(port, async (connection) => {
      expect((await missingSearchAttributes(connection, 'default')).map((key) => key.name)).toEqual(issuerSearchAttributes.map((key) => key.name));
      const warnings: string[] = [];
      const refused = assertSearchAttributesRegistered(connection, 'default', (message) => warnings.push(message));
      await expect(refused).rejects.toThrow('temporal operator search-attribute create --namespace default --name S2sCredentialStatus --type Keyword');
      expect(warnings).toEqual([]);
    });
    await server.stop();

    server = await startTemporalDevServer(tools, { port, dbFile, logDir: dir });
    await connect(port, async (connection) => {
      expect(await missingSearchAttributes(connection, 'default')).toEqual([]);
      await expect(assertSearchAttributesRegistered(connection, 'default', () => undefined)).resolves.toBeUndefined();
    });
  });
});
