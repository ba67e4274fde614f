import { connectTemporal, connectTemporalWorkers } from '../clients/temporal/connection';
import { assertSearchAttributesRegistered } from '../clients/temporal/search-attributes';
import { loadConfig } from '../config/config';
import { databaseProbe, temporalProbe } from '../observability/health';
import { startOpsServer } from '../observability/ops-server';
import { startTracing } from '../observability/tracing';
import { createLogger } from '../config/logger';
import { connectMongo, ensureIndexes } from '../store/mongo';
import { composeIssuerWorker } from './compose';
import { workerReadyMessage } from './issuer-worker';

/** Worker process: `node dist/workers/main.js`. Stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('worker', config.logLevel);
  const { client: mongo, db } = await connectMongo(config.mongo.uri, config.mongo.database);
  await ensureIndexes(db);
  const workerConnection = await connectTemporalWorkers(config.temporal);
  const temporal = await connectTemporal(config.temporal);
  await assertSearchAttributesRegistered(temporal, config.temporal.namespace, (message) => logger.warn(message));
  const tracing = startTracing({ serviceName: config.tracing.serviceName ?? 's2s-issuer-worker', ...config.tracing });
  const { worker, scheduleReconciliation, scheduleRetention } = await composeIssuerWorker(config, {
    db,
    temporal,
    workerConnection,
    ...(tracing ? { tracing } : {}),
  });
  await scheduleReconciliation?.();
  await scheduleRetention?.();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
  const running = worker.run();
  const ops =
    config.ops.workerPort === undefined
      ? undefined
      : await startOpsServer({
          host: config.ops.host,
          port: config.ops.workerPort,
          probes: {
            database: databaseProbe(db),
            temporal: temporalProbe(temporal),
            // Polling its task queues; not while it starts or drains.
            worker: async () => {
              if (!worker.running()) throw new Error('not polling');
            },
          },
          logger,
        });
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      outboundTaskQueue: config.temporal.outboundTaskQueue,
      namespace: config.temporal.namespace,
      ...(ops ? { opsUrl: `http://${config.ops.host}:${ops.port}/metrics` } : {}),
    },
    workerReadyMessage,
  );
  await running;
  await ops?.close();
  await workerConnection.close();
  await temporal.close();
  await mongo.close();
  await tracing?.shutdown();
  logger.info('worker stopped');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
