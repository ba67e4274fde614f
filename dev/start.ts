import { randomUUID } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { registerWalletServerIn } from '../cli/register-wallet-server';
import { loadConfig } from '../config/config';
import { connectMongo, ensureIndexes } from '../store/mongo';
import { createInitiateRequest, importWalletSigningKeyPair } from '../wallet/wallet-client-instance';
import { devApproveType } from '../domain/verification-types/development';
import { developmentCatalogue } from '../config/verification';
import { startNotificationReceiver } from '../wallet/notification-receiver';
import { startCodecServer } from './codec-server';
import { loadIssuerKeyMaterial } from '../crypto/key-material';
import { seedFakeHolders } from './fake-holders';
import { createPayloadCodec } from '../crypto/temporal-payload-codec';
import { devMaterialPaths, readJson } from './dev-material';
import { developmentDatabaseBackend, startDevelopmentDatabase } from './development-database';
import { startProcess, startTemporalDevServer, waitForLogLine, waitForPort, type ManagedProcess } from './processes';
import { privateFileMode } from './private-files';
import { workerReadyMessage } from '../workers/issuer-worker';
import { toolPaths } from './tools';

/**
 * `npm start`: the whole stack on embedded defaults until Ctrl-C. Temporal dev server (with
 * Web UI) and the development database (FerretDB on PostgreSQL, or on SQLite with
 * S2S_DEV_DATABASE=sqlite) keep their data in .data/; the worker and the Issuer API run as child
 * processes with the same configuration they would read in production.
 */
const say = (line: string) => console.log(`[start] ${line}`);
const processes: ManagedProcess[] = [];
const closeOnStop: (() => Promise<void>)[] = [];
let stopping = false;

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  for (const close of closeOnStop) await close();
  for (const child of [...processes].reverse()) {
    await child.stop();
    say(`${child.name} stopped`);
  }
  process.exit(code);
}

async function main(): Promise<void> {
  const started = Date.now();
  const root = process.cwd();
  const env: NodeJS.ProcessEnv = { S2S_ENABLE_DEV_VERIFICATION_TYPES: 'true', ...process.env };
  const config = loadConfig(env);
  const temporalPort = Number(config.temporal.address.split(':').pop());
  const uiPort = Number(env.TEMPORAL_UI_PORT ?? 8233);
  const mongoPort = Number(new URL(config.mongo.uri).port || 27017);
  const logDir = path.join(config.dataDir, 'logs');
  const tools = toolPaths();
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  const watch = (child: ManagedProcess) => {
    child.child.once('exit', (code, signal) => {
      if (stopping) return;
      say(`${child.name} exited unexpectedly (${signal ?? code}); see ${child.logFile}`);
      void stopAll(1);
    });
    processes.push(child);
    return child;
  };

  // The Web UI decodes the encrypted payloads through this codec server (loopback only).
  const codecPort = Number(env.S2S_DEV_CODEC_PORT ?? 8234);
  const codecServer = await startCodecServer({
    // Display only: the Web UI should show any payload, also one that the worker refuses.
    codec: createPayloadCodec(loadIssuerKeyMaterial(config).dataKeyring, { acceptPlaintext: true }),
    port: codecPort,
    allowedOrigins: [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`],
  });
  closeOnStop.push(() => codecServer.close());
  say(`Temporal dev server on 127.0.0.1:${temporalPort}, Web UI on ${uiPort} (payload codec ${codecServer.url})`);
  watch(
    await startTemporalDevServer(tools, {
      port: temporalPort,
      uiPort,
      codecEndpoint: codecServer.url,
      dbFile: path.join(config.dataDir, 'temporal', 'temporal.db'),
      logDir,
    }),
  );
  const backend = developmentDatabaseBackend(env);
  say(`FerretDB on 127.0.0.1:${mongoPort}, storing in ${backend === 'postgresql' ? 'PostgreSQL' : 'SQLite'}`);
  const database = await startDevelopmentDatabase({
    tools,
    backend,
    dir: config.dataDir,
    mongoPort,
    postgresPort: env.S2S_DEV_POSTGRES_PORT ? Number(env.S2S_DEV_POSTGRES_PORT) : undefined,
    logDir,
  });
  // Stopped in reverse: FerretDB before PostgreSQL.
  for (const server of database.processes) watch(server);

  const dev = devMaterialPaths(config.dataDir);
  // The development Wallet Server's notification endpoint: what the issuer tells it is logged.
  const notificationLog = createWriteStream(path.join(logDir, 'wallet-notifications.log'), { flags: 'a', mode: privateFileMode });
  const receiver = await startNotificationReceiver({
    certificatePem: readFileSync(dev.walletTlsCert, 'utf8'),
    privateKeyPem: readFileSync(dev.walletTlsKey, 'utf8'),
    clientCaPem: readFileSync(dev.caCert, 'utf8'),
    port: Number(env.S2S_DEV_WALLET_PORT ?? 9443),
  });
  receiver.onNotification((n) =>
    notificationLog.write(`${JSON.stringify({ at: n.receivedAt, path: n.path, requestId: n.headers['x-request-id'], body: n.body })}\n`),
  );
  closeOnStop.push(() => receiver.close());

  const { client, db } = await connectMongo(config.mongo.uri, config.mongo.database);
  await ensureIndexes(db);
  // Clearly fake holder records for credential issuance (profile §Credential configurations).
  await seedFakeHolders(db, loadIssuerKeyMaterial(config).dataKeyring);
  const tenant = await registerWalletServerIn(db, {
    name: 'Development Wallet Server',
    certificatePem: readFileSync(dev.walletCert, 'utf8'),
    notificationBaseUrl: `${receiver.url}/s2s`,
    clientCaPem: readFileSync(config.tls.clientCaFile, 'utf8'),
  });
  await client.close();

  say('worker');
  const worker = watch(startProcess('worker', process.execPath, [path.join(root, 'dist/workers/main.js')], { logDir, env }));
  say('Issuer API');
  const api = watch(startProcess('api', process.execPath, [path.join(root, 'dist/api/main.js')], { logDir, env }));
  await waitForPort(config.api.port, 30_000, api, config.api.host);
  await waitForLogLine(worker, workerReadyMessage, 60_000);

  const key = await importWalletSigningKeyPair(readJson(dev.walletSigningKey));
  const body = await createInitiateRequest({
    key,
    credentialConfigurationIds: [developmentCatalogue[0]?.id ?? 'org.iso.18013.5.1.mDL'],
    verificationData: { serverVerificationDataItem: [{ id: 'item-1', type: devApproveType }] },
  });
  const apiUrl = `https://${config.api.host}:${config.api.port}`;
  const opsUrl = (port: number | undefined) => (port === undefined ? 'off' : `http://${config.ops.host}:${port}/metrics`);
  const opsLine = `API ${opsUrl(config.ops.apiPort)}, worker ${opsUrl(config.ops.workerPort)} (also /healthz, /readyz)`;
  const rel = (file: string) => path.relative(root, file);
  const curl = (endpoint: string, json: unknown) =>
    [
      `curl --cacert ${rel(dev.caCert)} --cert ${rel(dev.walletCert)} --key ${rel(dev.walletKey)}`,
      `  -H 'Api-Version: 1.0.0' -H 'x-request-id: ${randomUUID()}' -H 'Content-Type: application/json'`,
      `  --data '${JSON.stringify(json)}'`,
      `  ${apiUrl}${endpoint}`,
    ].join(' \\\n');

  console.log(`
The stack is up (${((Date.now() - started) / 1000).toFixed(1)} s). Ctrl-C stops everything; data stays in ${rel(config.dataDir)}/.

  Issuer API (mTLS)       ${apiUrl}     OpenAPI: ${apiUrl}/openapi.json
  Temporal Web UI         http://127.0.0.1:${uiPort}/namespaces/${config.temporal.namespace}/workflows
  Temporal gRPC           ${config.temporal.address} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})
  MongoDB wire (FerretDB) ${config.mongo.uri}   (storing in ${database.storage})
  Wallet Server client    certificate ${rel(dev.walletCert)}
                          key         ${rel(dev.walletKey)}
                          CA          ${rel(dev.caCert)}   (tenant ${tenant._id})
  Wallet notifications    ${receiver.url}/s2s/verification/notify → ${rel(logDir)}/wallet-notifications.log
  Issuer metadata         ${apiUrl}/.well-known/openid-credential-issuer-s2s
  Token Status Lists      ${config.statusLists.publicUrl}/status-lists/1   (no client certificate; Accept: application/statuslist+jwt or +cwt;
                          the first list exists once a credential was given an index)
  Reviewer console        https://${config.admin.host}:${config.admin.port}/console   (sign in with the reviewer or back-office token below)
  Reviewers' admin API    https://${config.admin.host}:${config.admin.port}/admin/review-cases
                          Authorization: Bearer $(cat ${rel(dev.devReviewerToken)})
                          (back office, sign-in surface, provider dev-provider: ${rel(dev.devBackOfficeToken)}, ${rel(dev.devSignInToken)}, ${rel(dev.devProviderToken)})
  Metrics, health         ${opsLine}
  Logs                    ${rel(logDir)}/

Start a verification (fresh sessionId, nonce signed by the development Wallet Signing Key):

${curl('/verification/initiate', body)}

Then ask for its status (put the verificationId from the answer in place of VERIFICATION_ID):

${curl('/verification/status', { sessionId: body.sessionId, verificationId: 'VERIFICATION_ID' })}

Issue each shipped credential end to end (a Credential Offer to a fake holder, initiate with its code,
provision, nonce, get of a batch whose key proofs and encryption key the development wallet makes),
and print the credentials decoded:

  npm run issue-example
`);
}

main().catch((error: unknown) => {
  console.error(error);
  void stopAll(1);
});
