import path from 'node:path';
import { freePort, startFerretDb, type FerretDbBackend, type ManagedProcess } from './processes';
import { ferretDbPostgresUrl, startPostgres } from './postgres';
import type { ToolPaths } from './tools';

/**
 * The development database behind `npm start`, the integration tests and the bench: FerretDB
 * (MongoDB wire protocol) on PostgreSQL by default, or on SQLite files when
 * S2S_DEV_DATABASE=sqlite (no second server, slower under concurrent load).
 */
export type DevelopmentDatabaseBackend = 'postgresql' | 'sqlite';

export function developmentDatabaseBackend(env: NodeJS.ProcessEnv = process.env): DevelopmentDatabaseBackend {
  const value = env.S2S_DEV_DATABASE || 'postgresql';
  if (value === 'postgresql' || value === 'sqlite') return value;
  throw new Error(`S2S_DEV_DATABASE must be "postgresql" or "sqlite", not "${value}"`);
}

export interface DevelopmentDatabaseOptions {
  tools: ToolPaths;
  backend: DevelopmentDatabaseBackend;
  /** PostgreSQL's cluster goes into `<dir>/postgres`, SQLite's files into `<dir>/ferretdb`. */
  dir: string;
  mongoPort: number;
  /** PostgreSQL's port on 127.0.0.1; a free one when not given. */
  postgresPort?: number;
  logDir: string;
}

export interface DevelopmentDatabase {
  readonly backend: DevelopmentDatabaseBackend;
  /** Where the application connects (MONGODB_URI). */
  readonly mongoUri: string;
  /** Where FerretDB stores: a PostgreSQL URL, or the SQLite folder. */
  readonly storage: string;
  /** The running PostgreSQL (PostgreSQL backend only); restartPostgres() replaces it. */
  readonly postgres: ManagedProcess | undefined;
  /** The running FerretDB; restartFerretDb() replaces it. */
  readonly ferretdb: ManagedProcess;
  /** The running processes in start order. */
  readonly processes: ManagedProcess[];
  /** Starts PostgreSQL again on the same cluster and port (stopping it first if it still runs). */
  restartPostgres(): Promise<ManagedProcess>;
  /** Starts FerretDB again on the same port and storage (stopping it first if it still runs). */
  restartFerretDb(): Promise<ManagedProcess>;
  /** Stops FerretDB first (it holds PostgreSQL's connections), then PostgreSQL. */
  stop(): Promise<void>;
}

export async function startDevelopmentDatabase(options: DevelopmentDatabaseOptions): Promise<DevelopmentDatabase> {
  const { tools, logDir } = options;
  let postgres: ManagedProcess | undefined;
  let ferretDbBackend: FerretDbBackend;
  let startPostgresAgain: (() => Promise<ManagedProcess>) | undefined;
  if (options.backend === 'postgresql') {
    const postgresOptions = { dir: path.join(options.dir, 'postgres'), port: options.postgresPort ?? (await freePort()), logDir };
    startPostgresAgain = () => startPostgres(postgresOptions);
    postgres = await startPostgres(postgresOptions);
    ferretDbBackend = { postgresqlUrl: ferretDbPostgresUrl(postgresOptions.port) };
  } else {
    ferretDbBackend = { sqliteDir: path.join(options.dir, 'ferretdb') };
  }
  const startFerretDbAgain = () => startFerretDb(tools, { port: options.mongoPort, backend: ferretDbBackend, logDir });
  let ferretdb: ManagedProcess;
  try {
    ferretdb = await startFerretDbAgain();
  } catch (error) {
    await postgres?.stop();
    throw error;
  }

  return {
    backend: options.backend,
    mongoUri: `mongodb://127.0.0.1:${options.mongoPort}/`,
    storage: 'postgresqlUrl' in ferretDbBackend ? ferretDbBackend.postgresqlUrl : ferretDbBackend.sqliteDir,
    get postgres() {
      return postgres;
    },
    get ferretdb() {
      return ferretdb;
    },
    get processes() {
      return postgres ? [postgres, ferretdb] : [ferretdb];
    },
    async restartPostgres() {
      if (!postgres || !startPostgresAgain) throw new Error('the SQLite backend has no PostgreSQL to restart');
      await postgres.stop();
      postgres = await startPostgresAgain();
      return postgres;
    },
    async restartFerretDb() {
      await ferretdb.stop();
      ferretdb = await startFerretDbAgain();
      return ferretdb;
    },
    async stop() {
      await ferretdb.stop();
      await postgres?.stop();
    },
  };
}
