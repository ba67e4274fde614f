import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDevMaterial } from '../../dev/dev-material';
import { preparePrivateDataDir } from '../../dev/private-files';
import { startProcess } from '../../dev/processes';

/** Every path below `dir` with its permission bits, e.g. ['pki/ca.key', 0o600]. */
function modesBelow(dir: string, prefix = ''): [string, number][] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    const stat = statSync(full);
    const own: [string, number] = [path.join(prefix, entry), stat.mode & 0o777];
    return stat.isDirectory() ? [own, ...modesBelow(full, own[0])] : [own];
  });
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('the data directory is private (.data: keys, certificates, logs, server data)', () => {
  let umaskBefore: number;
  // A permissive umask, as a shell usually has: the modes must not depend on it.
  beforeAll(() => (umaskBefore = process.umask(0o022)));
  afterAll(() => process.umask(umaskBefore));

  it('writes the development material with folders 0700 and files 0600 in a data directory of 0711', async () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'modes-')), '.data');
    preparePrivateDataDir(dataDir);
    await ensureDevMaterial(dataDir);

    // 0711: PostgreSQL's system user passes through to its cluster, and can list nothing.
    expect(modeOf(dataDir)).toBe(0o711);
    const modes = modesBelow(dataDir);
    expect(modes.map(([file]) => file)).toEqual(expect.arrayContaining(['pki/ca.key', 'pki/ca.crt', 'keys/issuer-keys.json', 'keys/data-keys.json']));
    for (const [file, mode] of modes) {
      expect({ file, mode: mode.toString(8) }).toEqual({ file, mode: statSync(path.join(dataDir, file)).isDirectory() ? '700' : '600' });
    }
  });

  it('brings a data directory written before these modes to 0711, and what it holds to 0700 and 0600', () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'modes-')), '.data');
    mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
    writeFileSync(path.join(dataDir, 'logs', 'api.log'), 'x');
    writeFileSync(path.join(dataDir, '.bootstrap.lock'), '');
    chmodSync(dataDir, 0o755);
    chmodSync(path.join(dataDir, 'logs'), 0o755);
    chmodSync(path.join(dataDir, 'logs', 'api.log'), 0o644);

    preparePrivateDataDir(dataDir);

    expect(modeOf(dataDir)).toBe(0o711);
    expect(modeOf(path.join(dataDir, 'logs'))).toBe(0o700);
    expect(modeOf(path.join(dataDir, 'logs', 'api.log'))).toBe(0o600);
    expect(modeOf(path.join(dataDir, '.bootstrap.lock'))).toBe(0o600);
  });

  it('writes the development servers’ logs into a 0700 folder, each log 0600', async () => {
    const logDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'modes-')), 'logs');
    const child = startProcess('probe', process.execPath, ['-e', 'console.log("ready")'], { logDir });
    await new Promise((resolve) => child.child.once('exit', resolve));
    expect(modeOf(logDir)).toBe(0o700);
    expect(modeOf(child.logFile)).toBe(0o600);
  });
});
