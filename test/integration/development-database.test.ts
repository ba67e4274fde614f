import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { startDevelopmentDatabase, type DevelopmentDatabase, type DevelopmentDatabaseBackend } from '../../dev/development-database';
import { freePort, waitForLogLine } from '../../dev/processes';
import { toolPaths } from '../../dev/tools';

/**
 * The development database started the way npm start, the tests and the bench start it, here
 * on its own ports and folder (the shared one from global-setup is not killed under other tests).
 */
interface Item {
  _id: string;
  n: number;
}

async function startOwnDatabase(backend: DevelopmentDatabaseBackend): Promise<{ database: DevelopmentDatabase; dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 's2s-devdb-'));
  // PostgreSQL may run as an unprivileged user (when we are root): it must be able to enter.
  chmodSync(dir, 0o711);
  const database = await startDevelopmentDatabase({ tools: toolPaths(), backend, dir, mongoPort: await freePort(), logDir: path.join(dir, 'logs') });
  return { database, dir };
}

describe('the development database on PostgreSQL', () => {
  let database: DevelopmentDatabase;
  let dir: string;
  let client: MongoClient;
  beforeAll(async () => {
    ({ database, dir } = await startOwnDatabase('postgresql'));
    client = new MongoClient(database.mongoUri, { serverSelectionTimeoutMS: 10_000 });
  });
  afterAll(async () => {
    await client?.close();
    await database?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps stored values out of the FerretDB and PostgreSQL logs when an insert loses a race', async () => {
    const [id, secret] = [`id-${randomUUID()}`, `value-${randomUUID()}`];
    const items = client.db('loglines').collection<{ _id: string; secret: string }>('items');
    await items.insertOne({ _id: id, secret: 'first' });
    await expect(items.insertOne({ _id: id, secret })).rejects.toMatchObject({ code: 11000 });
    const { postgres, ferretdb } = database;
    if (!postgres) throw new Error('no PostgreSQL process');
    // Both logged the failed insert (the SQL names the schema FerretDB keeps the database in)...
    await waitForLogLine(ferretdb, 'INSERT INTO \\"loglines\\"', 5_000);
    await waitForLogLine(postgres, 'INSERT INTO "loglines"', 5_000);
    // ...without the document or its key.
    for (const log of [ferretdb.logFile, postgres.logFile]) {
      const text = readFileSync(log, 'utf8');
      expect(text).toContain('duplicate key');
      expect(text).not.toContain(id);
      expect(text).not.toContain(secret);
    }
  });

  it('keeps every acknowledged write and the unique index after PostgreSQL is SIGKILLed and restarted, and takes new writes', async () => {
    const items = client.db('crash').collection<Item>('items');
    await items.createIndex({ n: 1 }, { unique: true });
    // One write per document: each was acknowledged before the next, the last just before the kill.
    const written = Array.from({ length: 100 }, (_, n) => ({ _id: `before-${n}`, n }));
    for (const item of written) await items.insertOne(item);

    const killed = database.postgres;
    if (!killed) throw new Error('no PostgreSQL process');
    const exited = once(killed.child, 'exit');
    killed.child.kill('SIGKILL');
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect(signal).toBe('SIGKILL');
    const outageStarted = Date.now();
    const ferretDbPid = database.ferretdb.child.pid;

    // A write now fails, unless a backend that has not yet noticed its postmaster's death takes
    // it: then it was committed and acknowledged like any other, and must survive too. (A failed
    // one may still have been committed, its answer being what was lost: either way is right.)
    const duringOutage = { _id: 'during-outage', n: -1 };
    const acknowledgedDuringOutage = await items.insertOne(duringOutage).then(
      () => true,
      () => false,
    );
    const acknowledged = acknowledgedDuringOutage ? [duringOutage, ...written] : written;
    // The outage lasts a moment, as a crash and restart would: FerretDB's pool (pgx) pings a
    // connection idle for over a second before reusing it, so the ones the crash broke are
    // replaced instead of failing a request each.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageStarted + 1_500 - Date.now())));

    const restarted = await database.restartPostgres();
    expect(restarted.child.pid).not.toBe(killed.child.pid);
    // PostgreSQL found the cluster not shut down cleanly and replayed its WAL.
    await waitForLogLine(restarted, 'database system was interrupted', 5_000);
    await waitForLogLine(restarted, 'redo done', 5_000);

    // The same FerretDB process reads everything back through new connections.
    expect(database.ferretdb.child.pid).toBe(ferretDbPid);
    const stored = await items.find().sort({ n: 1 }).toArray();
    expect(acknowledgedDuringOutage ? stored : stored.filter((item) => item._id !== duringOutage._id)).toEqual(acknowledged);
    await expect(items.insertOne({ _id: 'duplicate', n: 0 })).rejects.toMatchObject({ code: 11000 });
    await items.insertOne({ _id: 'after', n: written.length });
    expect(await items.findOne({ _id: 'after' })).toEqual({ _id: 'after', n: written.length });
  });

  it('stops FerretDB first, then shuts PostgreSQL down cleanly, and starts again on the same cluster', async () => {
    const items = client.db('restart').collection<Item>('items');
    await items.insertOne({ _id: 'kept', n: 1 });
    const { postgres, ferretdb } = database;
    const order: string[] = [];
    for (const server of [postgres, ferretdb]) server?.child.once('exit', () => order.push(server.name));
    await database.stop();
    expect(order).toEqual(['ferretdb', 'postgres']);
    expect(postgres?.child.exitCode).toBe(0);
    expect(readFileSync(postgres?.logFile ?? '', 'utf8')).toContain('database system is shut down');

    const port = Number(new URL(database.mongoUri).port);
    database = await startDevelopmentDatabase({ tools: toolPaths(), backend: 'postgresql', dir, mongoPort: port, logDir: path.join(dir, 'logs') });
    expect(await client.db('restart').collection<Item>('items').findOne({ _id: 'kept' })).toEqual({ _id: 'kept', n: 1 });
  });
});

describe('the development database on SQLite (S2S_DEV_DATABASE=sqlite)', () => {
  it('stores through FerretDB with no PostgreSQL', async () => {
    const { database, dir } = await startOwnDatabase('sqlite');
    const client = new MongoClient(database.mongoUri, { serverSelectionTimeoutMS: 10_000 });
    try {
      expect(database.postgres).toBeUndefined();
      expect(database.storage).toBe(path.join(dir, 'ferretdb'));
      const items = client.db('sqlite').collection<Item>('items');
      await items.insertOne({ _id: 'one', n: 1 });
      expect(await items.findOne({ _id: 'one' })).toEqual({ _id: 'one', n: 1 });
    } finally {
      await client.close();
      await database.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
