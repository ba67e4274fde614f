import { connectTemporal } from '../clients/temporal/connection';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { connectMongo, ensureIndexes } from '../store/mongo';
import { createApp } from './app';
import { composeIssuerApi } from './compose';
import { createAdminApp } from './admin/app';
import { close, createAdminTlsServer, createMutualTlsServer, listen } from './server';

/** API process: `node dist/api/main.js`. Stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('api', config.logLevel);
  const { client: mongo, db } = await connectMongo(config.mongo.uri, config.mongo.database);
  await ensureIndexes(db);
  const temporal = await connectTemporal(config.temporal);
  const { api, admin } = composeIssuerApi(config, { db, temporal, logger });
  const server = createMutualTlsServer(createApp(api), config.tls);
  const port = await listen(server, config.api.host, config.api.port);
  const adminServer = createAdminTlsServer(createAdminApp(admin), config.tls);
  const adminPort = await listen(adminServer, config.admin.host, config.admin.port);
  logger.info({ url: `https://${config.api.host}:${port}`, adminUrl: `https://${config.admin.host}:${adminPort}/admin` }, 'issuer api listening');

  const shutdown = async () => {
    await Promise.all([close(server), close(adminServer)]);
    await temporal.close();
    await mongo.close();
    logger.info('issuer api stopped');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
