import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { verificationSearchAttributes } from '../../workflows/verification/search-attributes';

const root = path.resolve(__dirname, '../..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    { command?: string[] | string; environment?: Record<string, string>; build?: string; depends_on?: Record<string, unknown>; volumes?: string[] }
  >;
};

/** Every environment variable config/config.ts reads. */
const configVariables = new Set([...readFileSync(path.join(root, 'config/config.ts'), 'utf8').matchAll(/merged\.([A-Z0-9_]+)/g)].map((m) => m[1]));

describe('docker-compose.yml (cannot run here: no Docker engine; checked for consistency instead)', () => {
  it('describes the production-like deployment', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['mongodb', 'postgresql', 'temporal', 'temporal-ui', 'temporal-search-attributes', 'issuer-api', 'issuer-worker']),
    );
    expect(compose.services.mongodb?.command).toEqual(expect.arrayContaining(['--replSet']));
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

  it('mounts every file the API is configured to read', () => {
    const api = compose.services['issuer-api'];
    const mounted = (api?.volumes ?? []).map((v) => v.split(':')[1]);
    for (const name of ['issuer-api', 'issuer-worker']) {
      const service = compose.services[name];
      const files = (service?.volumes ?? []).map((v) => v.split(':')[1]);
      const fileVariables = Object.keys(service?.environment ?? {}).filter((v) => /_(CERT|KEY|CA|FILE)$/.test(v));
      expect(fileVariables.length).toBeGreaterThan(5);
      // A file, or a file in a mounted folder (the admin credentials: re-read when replaced).
      for (const variable of fileVariables) {
        const file = service?.environment?.[variable] ?? '';
        expect(files.filter((mounted) => mounted === file || file.startsWith(`${mounted}/`))).not.toHaveLength(0);
      }
    }
    expect(mounted.length).toBeGreaterThan(0);
  });

  it('registers exactly the search attributes the workflows use', () => {
    const script = JSON.stringify(compose.services['temporal-search-attributes']?.command);
    for (const key of verificationSearchAttributes) {
      const type = { KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList' }[key.type as string];
      expect(script).toContain(`--name ${key.name} --type ${type}`);
    }
    expect(script.match(/--name /g)).toHaveLength(verificationSearchAttributes.length);
  });

  it('builds an image from a Dockerfile that copies every source folder the build compiles', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const tsconfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.json'), 'utf8')) as { include: string[] };
    for (const folder of tsconfig.include.filter((f) => f !== 'test')) expect(dockerfile).toMatch(new RegExp(`^COPY ${folder} ${folder}$`, 'm'));
  });
});
