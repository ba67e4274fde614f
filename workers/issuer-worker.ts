import type { PayloadCodec } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { AppConfig } from '../config/config';
import type { VerificationActivities } from '../activities/verification-activities';
import type { CredentialIssuanceActivities } from '../activities/credential-issuance-activities';
import type { CredentialStatusActivities } from '../activities/credential-status-activities';
import type { CredentialBatchActivities } from '../activities/credential-batch-activities';
import type { ReconciliationActivities } from '../activities/reconciliation-activities';
import type { RetentionActivities } from '../activities/retention-activities';
import type { Context as ActivityContext } from '@temporalio/activity';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { Tracing } from '../observability/tracing';

/** Logged by workers/main.ts once the worker polls; dev/start.ts waits for it. */
export const workerReadyMessage = 'worker running';

/** Every activity the issuer's workers run (workers/compose.ts builds them). */
export type IssuerActivities = VerificationActivities &
  CredentialIssuanceActivities &
  CredentialStatusActivities &
  CredentialBatchActivities &
  ReconciliationActivities &
  RetentionActivities;

/** The issuer's two Temporal workers, run and stopped together. */
export interface IssuerWorker {
  /** Runs until shutdown(); if one worker fails, the other is stopped and the failure thrown. */
  run(): Promise<void>;
  shutdown(): void;
  /** Both workers poll their task queues (what /readyz of the worker process checks). */
  running(): boolean;
}

/**
 * The issuer's workers (docs/architecture.md §Outbound calls):
 * - on `temporal.taskQueue`, the workflows and every activity (also notifications of workflows
 *   started before the outbound task queue existed);
 * - on `temporal.outboundTaskQueue`, calls to Wallet Servers only (notifications, CREDENTIAL_READY, lifecycle changes), with `outbound.maxConcurrentCalls`
 *   slots, so Wallet Servers that are slow or down never take the slots evaluations need.
 */
export async function createIssuerWorker(options: {
  connection: NativeConnection;
  config: Pick<AppConfig, 'temporal' | 'worker' | 'outbound'>;
  activities: IssuerActivities;
  /** Same codec as the API's client: every payload is encrypted before it reaches Temporal. */
  payloadCodec: PayloadCodec;
  /** Called once both workers have stopped (closes what only the activities used). */
  afterRun?: () => void;
  /** Workflows and activities as spans of the trace that started them (observability/tracing.ts). */
  tracing?: Tracing;
}): Promise<IssuerWorker> {
  const { config, activities } = options;
  const common = {
    connection: options.connection,
    namespace: config.temporal.namespace,
    dataConverter: { payloadCodecs: [options.payloadCodec] },
    ...(options.tracing ? tracedWorkerOptions(options.tracing) : {}),
  };
  const workers = [
    await Worker.create({
      ...common,
      taskQueue: config.temporal.taskQueue,
      workflowsPath: require.resolve('../workflows'),
      activities,
      ...(config.worker.maxConcurrentActivities ? { maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities } : {}),
    }),
    await Worker.create({
      ...common,
      taskQueue: config.temporal.outboundTaskQueue,
      activities: {
        notifyWalletServer: activities.notifyWalletServer,
        notifyCredentialReady: activities.notifyCredentialReady,
        tellWalletServerLifecycle: activities.tellWalletServerLifecycle,
        notifyCredentialUpdateAvailable: activities.notifyCredentialUpdateAvailable,
        askWalletServerStatus: activities.askWalletServerStatus,
        notifyDisplayDataUpdated: activities.notifyDisplayDataUpdated,
      },
      maxConcurrentActivityTaskExecutions: config.outbound.maxConcurrentCalls,
    }),
  ];
  const shutdown = () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };

  return {
    shutdown,
    running: () => workers.every((worker) => worker.getState() === 'RUNNING'),
    async run() {
      const runs = workers.map((worker) => worker.run());
      try {
        await Promise.all(runs);
      } catch (error) {
        shutdown();
        await Promise.allSettled(runs);
        throw error;
      } finally {
        options.afterRun?.();
      }
    },
  };
}

/**
 * The OpenTelemetry interceptors (@temporalio/interceptors-opentelemetry): workflow spans leave
 * the workflow sandbox through a sink into the process's span processor; activities continue
 * the trace from their headers; the worker's own client calls (reconciliation) carry theirs.
 */
function tracedWorkerOptions(tracing: Tracing) {
  return {
    interceptors: {
      workflowModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
      activity: [
        (ctx: ActivityContext) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
