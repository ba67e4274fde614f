import { connectTemporal } from '../clients/temporal/connection';
import { assertSearchAttributesRegistered } from '../clients/temporal/search-attributes';
import { loadConfig } from '../config/config';
import { registerReviewQueueGauges } from '../observability/metrics';
import { startOpsServer } from '../observability/ops-server';
import { startTracing } from '../observability/tracing';
import { createLogger } from '../config/logger';
import { connectMongo, ensureIndexes } from '../store/mongo';
import { createApp } from './app';
import { composeIssuerApi, recordServedCredentialMetadata } from './compose';
import { createAdminApp } from './admin/app';
import { close, createAdminTlsServer, createMutualTlsServer, createPublicTlsServer, listen } from './server';
import { createStatusListApp } from './status-lists/app';

/** API process: `node dist/api/main.js`. Stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('api', config.logLevel);
  const { client: mongo, db } = await connectMongo(config.mongo.uri, config.mongo.database);
  await ensureIndexes(db);
  const temporal = await connectTemporal(config.temporal);
  await assertSearchAttributesRegistered(temporal, config.temporal.namespace, (message) => logger.warn(message));
  const tracing = startTracing({ serviceName: config.tracing.serviceName ?? 's2s-issuer-api', ...config.tracing });
  const { api, admin, statusLists } = composeIssuerApi(config, { db, temporal, logger, traced: tracing !== undefined });
  registerReviewQueueGauges(() => admin.reviewCases.queueSummary());
  await recordServedCredentialMetadata(api, admin.lifecycleBatches);
  const server = createMutualTlsServer(createApp(api), config.tls);
  const port = await listen(server, config.api.host, config.api.port);
  const adminServer = createAdminTlsServer(createAdminApp(admin), config.tls);
  const adminPort = await listen(adminServer, config.admin.host, config.admin.port);
  // Profile §Status lists: public by design, no client certificate.
  const statusListServer = createPublicTlsServer(createStatusListApp(statusLists), config.tls);
  const statusListPort = await listen(statusListServer, config.statusLists.host, config.statusLists.port);
  const ops =
    config.ops.apiPort === undefined ? undefined : await startOpsServer({ host: config.ops.host, port: config.ops.apiPort, probes: api.probes, logger });
  logger.info(
    {
      ...(ops ? { opsUrl: `http://${config.ops.host}:${ops.port}/metrics` } : {}),
      url: `https://${config.api.host}:${port}`,
      adminUrl: `https://${config.admin.host}:${adminPort}/admin`,
      statusListUrl: `https://${config.statusLists.host}:${statusListPort}/status-lists/`,
    },
    'issuer api listening',
  );

  const shutdown = async () => {
    await Promise.all([close(server), close(adminServer), close(statusListServer), ops?.close()]);
    await temporal.close();
    await mongo.close();
    await tracing?.shutdown();
    logger.info('issuer api stopped');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
