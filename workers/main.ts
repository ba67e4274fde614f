import { ensureReconciliationSchedule } from '../clients/reconciliation-schedule';
import { connectTemporalClient } from '../clients/temporal';
import { loadIssuerKeyMaterial } from '../config/components';
import { loadConfig } from '../config/config';
import { createPayloadCodec } from '../crypto/temporal-payload-codec';
import { createLogger } from '../config/logger';
import { connectMongo, ensureIndexes } from '../store/mongo';
import { connectWorkerConnection, createIssuerWorker, workerReadyMessage } from './issuer-worker';

/** Worker process: `node dist/workers/main.js`. Stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('worker', config.logLevel);
  const { client: mongo, db } = await connectMongo(config.mongo.uri, config.mongo.database);
  await ensureIndexes(db);
  const connection = await connectWorkerConnection(config.temporal);
  const temporal = await connectTemporalClient(config.temporal, createPayloadCodec(loadIssuerKeyMaterial(config).dataKeyring));
  const worker = await createIssuerWorker({ connection, config, db, logger, temporal: temporal.client });
  if (config.reconciliation.intervalMs > 0) {
    const { intervalMs, ...input } = config.reconciliation;
    await ensureReconciliationSchedule(temporal.client, { taskQueue: config.temporal.taskQueue, intervalMs, input: { ...input, outboundTaskQueue: config.temporal.outboundTaskQueue } });
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
  const running = worker.run();
  logger.info({ taskQueue: config.temporal.taskQueue, outboundTaskQueue: config.temporal.outboundTaskQueue, namespace: config.temporal.namespace }, workerReadyMessage);
  await running;
  await connection.close();
  await temporal.connection.close();
  await mongo.close();
  logger.info('worker stopped');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
