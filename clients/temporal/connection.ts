import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { AppConfig } from '../../config/config';

function readOptional(file: string | undefined): Buffer | undefined {
  return file ? readFileSync(file) : undefined;
}

/** TLS options for a Temporal cluster (docker-compose or Temporal Cloud); none for the dev server. */
export function temporalTlsOptions(config: AppConfig['temporal']) {
  if (!config.tls) return undefined;
  const cert = readOptional(config.tls.certFile);
  const key = readOptional(config.tls.keyFile);
  const ca = readOptional(config.tls.caFile);
  return {
    ...(config.tls.serverName ? { serverNameOverride: config.tls.serverName } : {}),
    ...(ca ? { serverRootCACertificate: ca } : {}),
    ...(cert && key ? { clientCertPair: { crt: cert, key } } : {}),
  };
}

/** The connection a process's Temporal clients share; the process closes it when it stops. */
export async function connectTemporal(config: AppConfig['temporal']): Promise<Connection> {
  const tls = temporalTlsOptions(config);
  return Connection.connect({ address: config.address, ...(tls ? { tls } : {}) });
}

/** The connection Temporal workers poll on (the worker SDK's own, native connection). */
export async function connectTemporalWorkers(config: AppConfig['temporal']): Promise<NativeConnection> {
  const tls = temporalTlsOptions(config);
  return NativeConnection.connect({ address: config.address, ...(tls ? { tls } : {}) });
}

/**
 * A Temporal client whose payloads pass through `payloadCodec` (the worker uses the same codec).
 * `traced`: starts, signals and updates are spans, and carry the caller's trace to the workflow.
 */
export function createTemporalClient(connection: Connection, config: AppConfig['temporal'], payloadCodec: PayloadCodec, traced = false): Client {
  return new Client({
    connection,
    namespace: config.namespace,
    dataConverter: { payloadCodecs: [payloadCodec] },
    ...(traced ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } } : {}),
  });
}

/** Connection and client in one step, for tools outside the composed processes (bench/chaos.ts). */
export async function connectTemporalClient(config: AppConfig['temporal'], payloadCodec: PayloadCodec): Promise<{ client: Client; connection: Connection }> {
  const connection = await connectTemporal(config);
  return { client: createTemporalClient(connection, config, payloadCodec), connection };
}
