import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { AppConfig } from '../config/config';

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

/** A Temporal client whose payloads pass through `payloadCodec` (the worker uses the same codec). */
export async function connectTemporalClient(config: AppConfig['temporal'], payloadCodec: PayloadCodec): Promise<{ client: Client; connection: Connection }> {
  const tls = temporalTlsOptions(config);
  const connection = await Connection.connect({ address: config.address, ...(tls ? { tls } : {}) });
  return { client: new Client({ connection, namespace: config.namespace, dataConverter: { payloadCodecs: [payloadCodec] } }), connection };
}
