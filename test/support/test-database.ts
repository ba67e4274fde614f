import { randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { connectMongo, ensureIndexes } from '../../store/mongo';

/**
 * A fresh database with the repositories' indexes on the MongoDB-wire server that
 * test/support/global-setup.ts started (FerretDB here): one per test file, named by `prefix`.
 */
export async function connectTestDatabase(prefix: string): Promise<{ client: MongoClient; db: Db }> {
  const uri = process.env.S2S_TEST_MONGODB_URI;
  if (!uri) throw new Error('needs test/support/global-setup.ts');
  const connected = await connectMongo(uri, `${prefix}_${randomUUID().slice(0, 8)}`);
  await ensureIndexes(connected.db);
  return connected;
}
