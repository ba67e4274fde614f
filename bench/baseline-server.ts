import { randomBytes, randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import Koa from 'koa';
import { close, createMutualTlsServer, listen } from '../api/server';
import { loadConfig } from '../config/config';
import { baselineFirstDecision, baselineIssue, type baselineCredentialWorkflow, type baselineWorkflow } from './baseline-workflow';

/**
 * The benchmark's baseline: a bare Koa handler behind the same mTLS server that starts a bare
 * workflow of the same shape (update-with-start, two no-op activities) and a status handler
 * that queries it. No tenant lookup, idempotency, validation, nonce check or MongoDB.
 *
 * For the issuance scenario, the credential endpoints in the same bare form: provision starts
 * one workflow per credential instance, nonce answers from memory, and get is an Update on the
 * instance's workflow that runs one no-op activity. No proof verification, signing, encryption,
 * status list or holder data: what is left is the HTTP and Temporal cost of the same shape.
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
    activities: {
      noopEvaluate: async () => 'APPROVED',
      noopRecord: async () => undefined,
      noopIssue: async (credentialInstanceId: string) => `credentials-of-${credentialInstanceId}`,
    },
  });
  const running = worker.run();

  const router = new Router();
  // What the issuer reads from its verification record, kept in memory here.
  const approvedConfigurations = new Map<string, string[]>();
  const nonces = new Map<string, string>();
  router.post('/verification/initiate', async (ctx) => {
    const { sessionId, credentialConfigurationIds } = ctx.request.body as { sessionId: string; credentialConfigurationIds: string[] };
    approvedConfigurations.set(sessionId, credentialConfigurationIds);
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
  router.post('/credential/provision', async (ctx) => {
    const { sessionId } = ctx.request.body as { sessionId: string; verificationId: string };
    const CredentialInstances = await Promise.all(
      (approvedConfigurations.get(sessionId) ?? []).map(async (credentialConfigurationId, i) => {
        const credentialInstanceId = `${sessionId}-${i}`;
        // Idempotent like the issuer's: a repeated provision finds the running workflow.
        await client.workflow.start<typeof baselineCredentialWorkflow>('baselineCredentialWorkflow', {
          workflowId: `baseline-credential-${credentialInstanceId}`,
          taskQueue,
          args: [credentialInstanceId],
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
        return { credentialConfigurationId, credentialInstanceIds: [credentialInstanceId] };
      }),
    );
    ctx.body = { CredentialInstances };
  });
  router.post('/credential/nonce', (ctx) => {
    const { credentialInstanceId } = ctx.request.body as { credentialInstanceId: string };
    const nonce = randomBytes(32).toString('base64url');
    nonces.set(credentialInstanceId, nonce);
    ctx.body = { c_nonce: nonce, expiresAt: new Date(Date.now() + 300_000).toISOString() };
  });
  router.post('/credential/get', async (ctx) => {
    const { credentialInstanceId } = ctx.request.body as { credentialInstanceId: string };
    nonces.delete(credentialInstanceId);
    const jwe = await client.workflow
      .getHandle(`baseline-credential-${credentialInstanceId}`)
      .executeUpdate(baselineIssue, { updateId: `get-${ctx.get('x-request-id') || randomUUID()}` });
    ctx.body = { credentialVersion: 'baseline', credentials: { jwe, origin: 'ISSUER' } };
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
