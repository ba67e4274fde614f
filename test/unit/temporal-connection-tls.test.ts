import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporalTlsOptions } from '../../clients/temporal/connection';
import { loadConfig } from '../../config/config';

describe('TLS towards a Temporal cluster (docker-compose.yml: mutual TLS on the frontend)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'temporal-tls-'));
  const file = (name: string) => (writeFileSync(path.join(dir, name), `${name} content`), path.join(dir, name));

  it('presents the client certificate and key, trusts the configured CA and checks the server name', () => {
    const config = loadConfig({
      TEMPORAL_TLS_CERT: file('client.crt'),
      TEMPORAL_TLS_KEY: file('client.key'),
      TEMPORAL_TLS_CA: file('ca.crt'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal',
    });
    expect(temporalTlsOptions(config.temporal)).toEqual({
      clientCertPair: { crt: Buffer.from('client.crt content'), key: Buffer.from('client.key content') },
      serverRootCACertificate: Buffer.from('ca.crt content'),
      serverNameOverride: 'temporal',
    });
  });

  it('connects without TLS to the development server when nothing is configured', () => {
    expect(temporalTlsOptions(loadConfig({}).temporal)).toBeUndefined();
  });
});
