import type { Db } from 'mongodb';
import type { AppConfig } from '../config/config';
import { connectMongo, ensureIndexes } from '../store/mongo';

/**
 * Runs a command-line tool's main. A failure is one line on stderr and exit status 1: the
 * operator needs the reason, not a stack trace.
 */
export function runCommand(name: string, main: () => void | Promise<void>): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    });
}

/** Opens the configured issuer database (with its indexes) for one command's work, and closes it after. */
export async function withIssuerDatabase<T>(config: AppConfig, work: (db: Db) => Promise<T>): Promise<T> {
  const { client, db } = await connectMongo(config.mongo.uri, config.mongo.database);
  try {
    await ensureIndexes(db);
    return await work(db);
  } finally {
    await client.close();
  }
}
