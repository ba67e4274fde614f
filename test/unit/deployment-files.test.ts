import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../config/config';

const root = path.resolve(__dirname, '../..');
interface ComposeService {
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string>;
  build?: string;
  depends_on?: Record<string, unknown>;
  volumes?: string[];
  secrets?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
}
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
};

/** Where a service sees each file: bind mounts and compose secrets (/run/secrets/<name>). */
function filesSeenBy(service: ComposeService | undefined): string[] {
  return [...(service?.volumes ?? []).map((v) => v.split(':')[1] ?? ''), ...(service?.secrets ?? []).map((name) => `/run/secrets/${name}`)];
}

const isSecretFile = (file: string) => file.startsWith('/run/secrets/');

/** Every environment variable config/config.ts reads. */
const configVariables = new Set([...readFileSync(path.join(root, 'config/config.ts'), 'utf8').matchAll(/merged\.([A-Z0-9_]+)/g)].map((m) => m[1]));

describe('docker-compose.yml (cannot run here: no Docker engine; checked for consistency instead)', () => {
  it('describes the production-like deployment', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['mongodb', 'postgresql', 'temporal', 'temporal-ui', 'temporal-search-attributes', 'issuer-api', 'issuer-worker']),
    );
    expect(JSON.stringify(compose.services.mongodb?.command)).toContain('--replSet rs0');
    expect(compose.services.temporal?.environment?.DB).toMatch(/^postgres/);
  });

  it.each(['issuer-api', 'issuer-worker'])('configures %s only with variables the code reads', (name) => {
    const service = compose.services[name];
    expect(service?.build).toBe('.');
    for (const variable of Object.keys(service?.environment ?? {})) expect(configVariables).toContain(variable);
    expect(service?.environment?.S2S_ENABLE_DEV_VERIFICATION_TYPES).toBeUndefined();
  });

  it('runs processes whose entry points exist in the source tree', () => {
    for (const name of ['issuer-api', 'issuer-worker']) {
      const command = compose.services[name]?.command as string[];
      const entry = command[1]?.replace(/^dist\//, '').replace(/\.js$/, '.ts') ?? '';
      expect(existsSync(path.join(root, entry))).toBe(true);
    }
  });

  it('gives the API and the worker every file they are configured to read', () => {
    for (const name of ['issuer-api', 'issuer-worker']) {
      const service = compose.services[name];
      const files = filesSeenBy(service);
      const fileVariables = Object.keys(service?.environment ?? {}).filter((v) => /_(CERT|KEY|CA|FILE)$/.test(v));
      expect(fileVariables.length).toBeGreaterThan(5);
      for (const variable of fileVariables) expect(files).toContain(service?.environment?.[variable]);
    }
  });

  it('publishes only the Issuer API and the public status lists on the host, and the admin listener on loopback at most', () => {
    const published = Object.entries(compose.services).flatMap(([name, service]) => (service.ports ?? []).map((port) => ({ name, port: String(port) })));
    expect(published.filter(({ name }) => name !== 'issuer-api')).toEqual([]);
    const api = published.map(({ port }) => port);
    expect(api).toContain('8443:8443');
    // Profile §Status lists: public by design.
    expect(api).toContain('8445:8445');
    for (const port of api.filter((p) => p !== '8443:8443' && p !== '8445:8445')) expect(port).toMatch(/^127\.0\.0\.1:\d+:8444$/);
  });

  it('runs Temporal with mutual TLS on its frontend, and every Temporal client presents a certificate', () => {
    const temporal = compose.services.temporal?.environment ?? {};
    expect(temporal.TEMPORAL_TLS_REQUIRE_CLIENT_AUTH).toBe('true');
    for (const variable of [
      'TEMPORAL_TLS_FRONTEND_CERT',
      'TEMPORAL_TLS_FRONTEND_KEY',
      'TEMPORAL_TLS_CLIENT1_CA_CERT',
      'TEMPORAL_TLS_SERVER_CERT',
      'TEMPORAL_TLS_SERVER_KEY',
    ]) {
      expect(temporal[variable]).toMatch(/^\/run\/secrets\//);
      expect(filesSeenBy(compose.services.temporal)).toContain(temporal[variable]);
    }
    for (const name of ['issuer-api', 'issuer-worker', 'temporal-ui']) {
      const env = compose.services[name]?.environment ?? {};
      for (const variable of ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY']) {
        expect(env[variable]).toMatch(/^\/run\/secrets\//);
        expect(filesSeenBy(compose.services[name])).toContain(env[variable]);
      }
      expect(env.TEMPORAL_TLS_SERVER_NAME).toBe(temporal.TEMPORAL_TLS_FRONTEND_SERVER_NAME);
    }
    // The API and worker read these through config/config.ts: mutual TLS, not server-only TLS.
    const issuerEnvironment = Object.fromEntries(
      Object.entries(compose.services['issuer-api']?.environment ?? {}).filter(([name]) => name !== 'MONGODB_URI_FILE'),
    );
    const issuerTemporal = loadConfig(issuerEnvironment).temporal.tls;
    expect(issuerTemporal).toMatchObject({ certFile: expect.any(String), keyFile: expect.any(String), caFile: expect.any(String), serverName: 'temporal' });
    // The admin tools' health check authenticates too.
    expect(compose.services.temporal?.healthcheck?.test).toEqual(expect.arrayContaining(['--tls-cert-path', '--tls-key-path', '--tls-ca-path']));
  });

  it('runs the Temporal Web UI read-only and behind sign-in', () => {
    const ui = compose.services['temporal-ui']?.environment ?? {};
    expect(ui.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
    expect(ui.TEMPORAL_AUTH_ENABLED).toBe('true');
    expect(ui.TEMPORAL_AUTH_TYPE).toBe('oidc');
    expect(ui.TEMPORAL_AUTH_CLIENT_SECRET).toBeUndefined(); // from a secret file, not the compose file
    expect(compose.services['temporal-ui']?.secrets).toContain('temporal-ui-oidc-client-secret');
  });

  it('runs MongoDB with authentication, credentials from secrets, and gives the issuer its URI as a secret file', () => {
    const mongodb = compose.services.mongodb;
    expect(mongodb?.environment?.MONGO_INITDB_ROOT_USERNAME_FILE).toBe('/run/secrets/mongodb-root-username');
    expect(mongodb?.environment?.MONGO_INITDB_ROOT_PASSWORD_FILE).toBe('/run/secrets/mongodb-root-password');
    expect(mongodb?.environment?.MONGO_INITDB_ROOT_PASSWORD).toBeUndefined();
    expect(JSON.stringify(mongodb?.command)).toContain('--keyFile');
    for (const name of ['issuer-api', 'issuer-worker']) {
      const env = compose.services[name]?.environment ?? {};
      expect(env.MONGODB_URI).toBeUndefined();
      expect(env.MONGODB_URI_FILE).toBe('/run/secrets/mongodb-uri');
      expect(compose.services[name]?.secrets).toContain('mongodb-uri');
    }
    expect(compose.services.postgresql?.environment?.POSTGRES_PASSWORD).toBeUndefined();
    expect(compose.services.postgresql?.environment?.POSTGRES_PASSWORD_FILE).toBe('/run/secrets/temporal-db-password');
    expect(compose.services.temporal?.environment?.POSTGRES_PWD).toBeUndefined();
  });

  it('keeps keys, passwords and URIs with credentials out of the compose file: every such file is a declared secret', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|PWD|SECRET/.test(variable))
          expect({ name, variable, value }).toEqual({ name, variable, value: expect.stringMatching(/^\/run\/secrets\//) });
        if (/_KEY$|_KEY_FILE$|KEYS_FILE$|TOKENS_FILE$|_URI_FILE$/.test(variable)) expect(isSecretFile(value)).toBe(true);
      }
      for (const secret of service.secrets ?? []) expect(compose.secrets[secret]?.file).toMatch(/^\.\/deploy\/(pki|keys|secrets)\//);
      for (const volume of service.volumes ?? []) expect(volume).not.toMatch(/\.key:|keys\/|secrets\//);
    }
    const ignored = readFileSync(path.join(root, '.gitignore'), 'utf8');
    for (const folder of ['deploy/pki/*', 'deploy/keys/*', 'deploy/secrets/*']) expect(ignored).toContain(folder);
  });

  it('registers the search attributes from the one list the workflows use, with the operator’s certificate', () => {
    const service = compose.services['temporal-search-attributes'];
    // cli/register-search-attributes.ts registers issuerSearchAttributes: no second list here.
    expect(service?.command).toEqual(['node', 'dist/cli/register-search-attributes.js']);
    expect(existsSync(path.join(root, 'cli/register-search-attributes.ts'))).toBe(true);
    expect(loadConfig(service?.environment ?? {}).temporal).toMatchObject({
      address: 'temporal:7233',
      tls: { certFile: '/run/secrets/temporal-operator.crt', keyFile: '/run/secrets/temporal-operator.key', serverName: 'temporal' },
    });
    for (const service of ['issuer-api', 'issuer-worker']) {
      expect(compose.services[service]?.depends_on).toMatchObject({ 'temporal-search-attributes': { condition: 'service_completed_successfully' } });
    }
  });

  it('builds an image from a Dockerfile that copies every source folder the build compiles', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const tsconfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.json'), 'utf8')) as { include: string[] };
    for (const folder of tsconfig.include.filter((f) => f !== 'test')) expect(dockerfile).toMatch(new RegExp(`^COPY ${folder} ${folder}$`, 'm'));
  });
});
