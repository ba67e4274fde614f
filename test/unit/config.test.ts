import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/config';
import { loadCredentialCatalogue } from '../../config/verification';

describe('loadConfig', () => {
  it('defaults to the embedded development stack', () => {
    const config = loadConfig({});
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 's2s-issuer' });
    expect(config.mongo.uri).toBe('mongodb://127.0.0.1:27017/');
    expect(config.api.port).toBe(8443);
    expect(config.verification.devTypesEnabled).toBe(false);
  });

  it('reads external servers and TLS material from the environment', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'issuer',
      TEMPORAL_TLS_CERT: '/tls/client.crt',
      TEMPORAL_TLS_KEY: '/tls/client.key',
      MONGODB_URI: 'mongodb://db:27017/?replicaSet=rs0',
      S2S_TLS_CLIENT_CA: '/tls/wallets.crt',
    });
    expect(config.temporal).toMatchObject({ address: 'temporal.internal:7233', namespace: 'issuer', tls: { certFile: '/tls/client.crt', keyFile: '/tls/client.key' } });
    expect(config.mongo.uri).toBe('mongodb://db:27017/?replicaSet=rs0');
    expect(config.tls.clientCaFile).toBe('/tls/wallets.crt');
  });

  it('reads a config file, with the environment taking precedence', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cfg-')), 'issuer.json');
    writeFileSync(file, JSON.stringify({ S2S_API_PORT: 9443, TEMPORAL_NAMESPACE: 'from-file' }));
    const config = loadConfig({ S2S_CONFIG_FILE: file, TEMPORAL_NAMESPACE: 'from-env' });
    expect(config.api.port).toBe(9443);
    expect(config.temporal.namespace).toBe('from-env');
  });

  it('refuses malformed numbers', () => {
    expect(() => loadConfig({ S2S_API_PORT: 'eighty' })).toThrow(/S2S_API_PORT/);
  });

  it('requires a credential catalogue unless the development types are enabled', () => {
    expect(() => loadCredentialCatalogue(loadConfig({}).verification)).toThrow(/S2S_CREDENTIAL_CATALOGUE_FILE/);
    expect(loadCredentialCatalogue(loadConfig({ S2S_ENABLE_DEV_VERIFICATION_TYPES: 'true' }).verification).size).toBeGreaterThan(0);
  });
});
