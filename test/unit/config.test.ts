import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/config';
import { readCredentialCatalogue } from '../../config/verification';

describe('loadConfig', () => {
  it('defaults to the embedded development stack', () => {
    const config = loadConfig({});
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 's2s-issuer', outboundTaskQueue: 's2s-issuer-outbound' });
    expect(config.worker).toEqual({});
    expect(config.outbound).toEqual({ maxConcurrentCalls: 20, requestTimeoutMs: 10_000, retryAfterCeilingMs: 3_600_000, maxResponseBytes: 64 * 1024 });
    expect(config.api.clientPayloadIatWindowMs).toBe(300_000);
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
    expect(config.temporal).toMatchObject({
      address: 'temporal.internal:7233',
      namespace: 'issuer',
      tls: { certFile: '/tls/client.crt', keyFile: '/tls/client.key' },
    });
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

  it('names the outbound task queue after the task queue unless configured, and reads the outbound limits', () => {
    expect(loadConfig({ TEMPORAL_TASK_QUEUE: 'issuer-a' }).temporal.outboundTaskQueue).toBe('issuer-a-outbound');
    const config = loadConfig({
      TEMPORAL_OUTBOUND_TASK_QUEUE: 'calls',
      S2S_WORKER_MAX_CONCURRENT_ACTIVITIES: '8',
      S2S_OUTBOUND_MAX_CONCURRENT_CALLS: '3',
      S2S_OUTBOUND_REQUEST_TIMEOUT_MS: '2500',
      S2S_OUTBOUND_RETRY_AFTER_MAX_MS: '600000',
      S2S_OUTBOUND_RESPONSE_MAX_BYTES: '4096',
    });
    expect(config.temporal.outboundTaskQueue).toBe('calls');
    expect(config.worker).toEqual({ maxConcurrentActivities: 8 });
    expect(config.outbound).toEqual({ maxConcurrentCalls: 3, requestTimeoutMs: 2500, retryAfterCeilingMs: 600_000, maxResponseBytes: 4096 });
  });

  it('reads the client payload iat window and refuses one under a second or over a day', () => {
    expect(loadConfig({ S2S_CLIENT_PAYLOAD_IAT_WINDOW_MS: '60000' }).api.clientPayloadIatWindowMs).toBe(60_000);
    expect(() => loadConfig({ S2S_CLIENT_PAYLOAD_IAT_WINDOW_MS: '0' })).toThrow(/S2S_CLIENT_PAYLOAD_IAT_WINDOW_MS/);
    expect(() => loadConfig({ S2S_CLIENT_PAYLOAD_IAT_WINDOW_MS: String(25 * 3600_000) })).toThrow(/S2S_CLIENT_PAYLOAD_IAT_WINDOW_MS/);
  });

  it('reads the Content Reference threshold and lifetime, with the documented defaults, and refuses them out of bounds (profile §25)', () => {
    expect(loadConfig({}).contentReference).toEqual({ thresholdBytes: 512 * 1024, ttlMs: 600_000 });
    expect(loadConfig({ S2S_CONTENT_REFERENCE_THRESHOLD_BYTES: '2048', S2S_CONTENT_REFERENCE_TTL_S: '60' }).contentReference).toEqual({
      thresholdBytes: 2048,
      ttlMs: 60_000,
    });
    expect(() => loadConfig({ S2S_CONTENT_REFERENCE_THRESHOLD_BYTES: '1023' })).toThrow(/S2S_CONTENT_REFERENCE_THRESHOLD_BYTES/);
    expect(() => loadConfig({ S2S_CONTENT_REFERENCE_THRESHOLD_BYTES: String(16 * 1024 * 1024 + 1) })).toThrow(/S2S_CONTENT_REFERENCE_THRESHOLD_BYTES/);
    expect(() => loadConfig({ S2S_CONTENT_REFERENCE_TTL_S: '29' })).toThrow(/S2S_CONTENT_REFERENCE_TTL_S/);
    expect(() => loadConfig({ S2S_CONTENT_REFERENCE_TTL_S: '86401' })).toThrow(/S2S_CONTENT_REFERENCE_TTL_S/);
  });

  it('refuses a request timeout that Temporal would cut short, and zero slots', () => {
    expect(() => loadConfig({ S2S_OUTBOUND_REQUEST_TIMEOUT_MS: '60000' })).toThrow(/S2S_OUTBOUND_REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ S2S_OUTBOUND_MAX_CONCURRENT_CALLS: '0' })).toThrow(/S2S_OUTBOUND_MAX_CONCURRENT_CALLS/);
  });

  it('reads the default quotas of Wallet Servers, and refuses a zero rate or cap', () => {
    expect(loadConfig({}).quotas).toEqual({ ratePerSecond: 100, burst: 200, maxOpenVerifications: 10_000, openVerificationsRetryAfterSeconds: 30 });
    const config = loadConfig({
      S2S_RATE_LIMIT_PER_SECOND: '5',
      S2S_RATE_LIMIT_BURST: '10',
      S2S_MAX_OPEN_VERIFICATIONS: '50',
      S2S_OPEN_VERIFICATIONS_RETRY_AFTER_S: '60',
    });
    expect(config.quotas).toEqual({ ratePerSecond: 5, burst: 10, maxOpenVerifications: 50, openVerificationsRetryAfterSeconds: 60 });
    expect(() => loadConfig({ S2S_RATE_LIMIT_PER_SECOND: '0' })).toThrow(/S2S_RATE_LIMIT_PER_SECOND/);
    expect(() => loadConfig({ S2S_MAX_OPEN_VERIFICATIONS: '0' })).toThrow(/S2S_MAX_OPEN_VERIFICATIONS/);
  });

  it('reads the retention periods, with the documented defaults (profile §Retention)', () => {
    const day = 24 * 3600_000;
    expect(loadConfig({}).retention).toEqual({
      intervalMs: 15 * 60_000,
      batchLimit: 500,
      evidenceMs: 30 * day,
      sessionMs: 90 * day,
      oneTimeCodeMs: 30 * day,
      credentialOfferMs: 30 * day,
    });
    expect(loadConfig({ S2S_RETENTION_EVIDENCE_MS: '1000', S2S_RETENTION_SESSION_MS: '2000' }).retention).toMatchObject({ evidenceMs: 1000, sessionMs: 2000 });
  });

  it('refuses a session period shorter than the evidence period, and a one-time-code period shorter than the attempt window', () => {
    expect(() => loadConfig({ S2S_RETENTION_EVIDENCE_MS: '2000', S2S_RETENTION_SESSION_MS: '1000' })).toThrow(/S2S_RETENTION_SESSION_MS/);
    expect(() => loadConfig({ S2S_RETENTION_ONE_TIME_CODES_MS: String(3600_000) })).toThrow(/S2S_RETENTION_ONE_TIME_CODES_MS/);
  });

  it('refuses malformed numbers', () => {
    expect(() => loadConfig({ S2S_API_PORT: 'eighty' })).toThrow(/S2S_API_PORT/);
  });

  it('requires a credential catalogue unless the development types are enabled', () => {
    expect(() => readCredentialCatalogue(loadConfig({}).verification)).toThrow(/S2S_CREDENTIAL_CATALOGUE_FILE/);
    expect(readCredentialCatalogue(loadConfig({ S2S_ENABLE_DEV_VERIFICATION_TYPES: 'true' }).verification).length).toBeGreaterThan(0);
  });

  it('reads the client CRL and bounds the tenant lookup cache to a few seconds (profile §1)', () => {
    expect(loadConfig({}).tls.crlFile).toBeUndefined();
    expect(loadConfig({}).api.tenantCacheMs).toBe(1000);
    expect(loadConfig({ S2S_TLS_CRL_FILE: '/tls/clients.crl' }).tls.crlFile).toBe('/tls/clients.crl');
    expect(loadConfig({ S2S_TENANT_CACHE_MS: '0' }).api.tenantCacheMs).toBe(0);
    expect(() => loadConfig({ S2S_TENANT_CACHE_MS: '60000' })).toThrow(/S2S_TENANT_CACHE_MS/);
  });

  it('reads mutual TLS towards Temporal: client certificate, key, CA and server name', () => {
    const config = loadConfig({
      TEMPORAL_TLS_CERT: '/run/secrets/temporal-client.crt',
      TEMPORAL_TLS_KEY: '/run/secrets/temporal-client.key',
      TEMPORAL_TLS_CA: '/run/secrets/temporal-ca.crt',
      TEMPORAL_TLS_SERVER_NAME: 'temporal',
    });
    expect(config.temporal.tls).toEqual({
      certFile: '/run/secrets/temporal-client.crt',
      keyFile: '/run/secrets/temporal-client.key',
      caFile: '/run/secrets/temporal-ca.crt',
      serverName: 'temporal',
    });
    expect(loadConfig({ TEMPORAL_TLS_CA: '/ca.crt' }).temporal.tls).toEqual({ caFile: '/ca.crt' });
  });

  it('refuses a Temporal client certificate without its key, and a key without its certificate', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: '/c.crt', TEMPORAL_TLS_CA: '/ca.crt' })).toThrow(/TEMPORAL_TLS_KEY/);
    expect(() => loadConfig({ TEMPORAL_TLS_KEY: '/c.key' })).toThrow(/TEMPORAL_TLS_CERT/);
  });

  it('reads the MongoDB URI from the secret file MONGODB_URI_FILE', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cfg-')), 'mongodb-uri');
    writeFileSync(file, 'mongodb://issuer:s3cret@mongodb:27017/?replicaSet=rs0&authSource=admin\n');
    expect(loadConfig({ MONGODB_URI_FILE: file }).mongo.uri).toBe('mongodb://issuer:s3cret@mongodb:27017/?replicaSet=rs0&authSource=admin');
    expect(() => loadConfig({ MONGODB_URI_FILE: file, MONGODB_URI: 'mongodb://x' })).toThrow(/not both/);
    writeFileSync(file, '\n');
    expect(() => loadConfig({ MONGODB_URI_FILE: file })).toThrow(/empty/);
  });
});
