import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import Koa from 'koa';
import { close, createMutualTlsServer, listen } from '../api/server';
import { loadConfig } from '../config/config';
import { baselineFirstDecision, type baselineWorkflow } from './baseline-workflow';

/**
 * The benchmark's baseline: a bare Koa handler behind the same mTLS server that starts a bare
 * workflow of the same shape (update-with-start, two no-op activities) and a status handler
 * that queries it. No tenant lookup, idempotency, validation, nonce check or MongoDB.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const taskQueue = `${config.temporal.taskQueue}-baseline`;
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const workerConnection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection: workerConnection,
    namespace: config.temporal.namespace,
    taskQueue,
    workflowsPath: require.resolve('./baseline-workflow'),
    activities: { noopEvaluate: async () => 'APPROVED', noopRecord: async () => undefined },
  });
  const running = worker.run();

  const router = new Router();
  router.post('/verification/initiate', async (ctx) => {
    const { sessionId } = ctx.request.body as { sessionId: string };
    const verificationId = randomUUID();
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof baselineWorkflow>('baselineWorkflow', {
      workflowId: `baseline-${sessionId}`,
      taskQueue,
      args: [config.api.initialDecisionWaitMs],
      workflowIdConflictPolicy: 'FAIL',
    });
    const status = await client.workflow.executeUpdateWithStart(baselineFirstDecision, { startWorkflowOperation });
    ctx.body = { sessionId, verificationId, status };
  });
  router.post('/verification/status', async (ctx) => {
    const { sessionId, verificationId } = ctx.request.body as { sessionId: string; verificationId: string };
    const status = await client.workflow.getHandle(`baseline-${sessionId}`).result();
    ctx.body = { sessionId, verificationId, status };
  });
  const app = new Koa();
  app.use(bodyParser());
  app.use(router.routes());
  const server = createMutualTlsServer(app, config.tls);
  await listen(server, config.api.host, config.api.port);

  const shutdown = async () => {
    await close(server);
    worker.shutdown();
    await running;
    await workerConnection.close();
    await connection.close();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
