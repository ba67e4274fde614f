import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashAdminToken, minimumTokenLength, openAdminCredentialStore, parseAdminCredentials } from '../../api/admin/admin-credentials';
import { AdminCaller } from '../../api/admin/route';
import { addAdminCredential, mintAdminCredential, readAdminCredentialsFile, revokeAdminCredentials } from '../../cli/admin-credential';

const day = 24 * 60 * 60 * 1000;
const start = Date.parse('2026-12-01T00:00:00Z');

function newFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'admin-credentials-')), 'admin-credentials.json');
}

describe('admin credentials (api/admin/admin-credentials.ts, profile §16 Admin credentials)', () => {
  it('mints 32 random bytes as a 43-character base64url token, and stores only its SHA-256', () => {
    const { token, entry } = mintAdminCredential({ id: 'alice', role: AdminCaller.reviewer, days: 90, now: new Date(start) });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(entry).toEqual({ id: 'alice', role: 'reviewer', tokenSha256: hashAdminToken(token), notAfter: new Date(start + 90 * day).toISOString() });
    expect(JSON.stringify(entry)).not.toContain(token);
    expect(mintAdminCredential({ id: 'alice', role: AdminCaller.reviewer, days: 1 }).token).not.toBe(token);
  });

  it('authenticates a token as its id and role, and a provider credential as its provider', async () => {
    const file = newFile();
    const reviewer = mintAdminCredential({ id: 'alice', role: AdminCaller.reviewer, days: 1, now: new Date(start) });
    const provider = mintAdminCredential({ id: 'doc-check-1', role: AdminCaller.provider, provider: 'doc-check-co', days: 1, now: new Date(start) });
    addAdminCredential(file, reviewer.entry);
    addAdminCredential(file, provider.entry);
    const store = openAdminCredentialStore({ file, recheckMs: 1000, now: () => start + 1000 });
    expect(await store.authenticate(reviewer.token)).toEqual({ id: 'alice', role: 'reviewer' });
    expect(await store.authenticate(provider.token)).toEqual({ id: 'doc-check-1', role: 'provider', provider: 'doc-check-co' });
    expect(await store.authenticate(mintAdminCredential({ id: 'x', role: AdminCaller.reviewer, days: 1 }).token)).toBeUndefined();
  });

  it('refuses a credential after its notAfter and before its notBefore', async () => {
    const file = newFile();
    const minted = mintAdminCredential({ id: 'alice', role: AdminCaller.reviewer, days: 1, now: new Date(start) });
    addAdminCredential(file, { ...minted.entry, notBefore: new Date(start).toISOString() });
    let now = start - 1;
    const store = openAdminCredentialStore({ file, recheckMs: 1000, now: () => now });
    expect(await store.authenticate(minted.token)).toBeUndefined();
    now = start;
    expect(await store.authenticate(minted.token)).toBeDefined();
    now = start + day - 1;
    expect(await store.authenticate(minted.token)).toBeDefined();
    now = start + day;
    expect(await store.authenticate(minted.token)).toBeUndefined();
  });

  it(`refuses a token shorter than ${minimumTokenLength} characters even when its hash is on file`, async () => {
    const file = newFile();
    const short = 'a'.repeat(minimumTokenLength - 1);
    const long = 'a'.repeat(minimumTokenLength);
    const notAfter = new Date(Date.now() + day).toISOString();
    writeFileSync(
      file,
      JSON.stringify({
        credentials: [
          { id: 'short', role: 'reviewer', tokenSha256: hashAdminToken(short), notAfter },
          { id: 'long', role: 'reviewer', tokenSha256: hashAdminToken(long), notAfter },
        ],
      }),
    );
    const store = openAdminCredentialStore({ file, recheckMs: 1000 });
    expect(await store.authenticate(short)).toBeUndefined();
    expect(await store.authenticate(long)).toEqual({ id: 'long', role: 'reviewer' });
  });

  it('reads the file again when it changes, without a restart, and keeps the loaded credentials when the new file is invalid', async () => {
    const file = newFile();
    const first = mintAdminCredential({ id: 'alice', role: AdminCaller.reviewer, days: 1 });
    addAdminCredential(file, first.entry);
    let now = Date.now();
    const failures: unknown[] = [];
    const store = openAdminCredentialStore({ file, recheckMs: 1000, now: () => now, onReloadFailure: (e) => failures.push(e) });
    expect(await store.authenticate(first.token)).toBeDefined();

    // A rolling rotation: the new token is added, the old one ends after the grace period.
    const second = mintAdminCredential({ id: 'alice', role: AdminCaller.reviewer, days: 1 });
    addAdminCredential(file, second.entry, { rotateGraceMs: 60_000, now: new Date(now) });
    // Not looked at again before recheckMs has passed.
    expect(await store.authenticate(second.token)).toBeUndefined();
    now += 1000;
    expect(await store.authenticate(second.token)).toEqual({ id: 'alice', role: 'reviewer' });
    expect(await store.authenticate(first.token)).toBeDefined();
    now += 60_000;
    expect(await store.authenticate(first.token)).toBeUndefined();
    expect(await store.authenticate(second.token)).toBeDefined();

    // Half-written (the CLI writes in place): ignored, and read again at the next check.
    const complete = readFileSync(file, 'utf8');
    writeFileSync(file, complete.slice(0, 40));
    now += 1000;
    expect(await store.authenticate(second.token)).toBeDefined();
    expect(failures).toHaveLength(1);
    const third = mintAdminCredential({ id: 'bob', role: AdminCaller.reviewer, days: 1 });
    writeFileSync(file, complete);
    addAdminCredential(file, third.entry);
    now += 1000;
    expect(await store.authenticate(third.token)).toEqual({ id: 'bob', role: 'reviewer' });
  });

  it('revokes every credential of an id at once', async () => {
    const file = newFile();
    const a = mintAdminCredential({ id: 'alice', role: AdminCaller.reviewer, days: 1 });
    const b = mintAdminCredential({ id: 'alice', role: AdminCaller.reviewer, days: 1 });
    const c = mintAdminCredential({ id: 'bob', role: AdminCaller.reviewer, days: 1 });
    for (const m of [a, b, c]) addAdminCredential(file, m.entry);
    expect(revokeAdminCredentials(file, 'alice')).toBe(2);
    expect(readAdminCredentialsFile(file).credentials.map((e) => e.id)).toEqual(['bob']);
    expect(readFileSync(file, 'utf8')).not.toContain(a.token);
  });

  it('refuses a file with an unknown role, a provider credential without its provider, or a provider on another role', () => {
    const entry = { id: 'x', tokenSha256: hashAdminToken('t'.repeat(43)), notAfter: new Date().toISOString() };
    expect(() => parseAdminCredentials(JSON.stringify({ credentials: [{ ...entry, role: 'admin' }] }))).toThrow(/invalid/);
    expect(() => parseAdminCredentials(JSON.stringify({ credentials: [{ ...entry, role: 'provider' }] }))).toThrow(/provider/);
    expect(() => parseAdminCredentials(JSON.stringify({ credentials: [{ ...entry, role: 'reviewer', provider: 'p' }] }))).toThrow(/provider/);
    expect(() => parseAdminCredentials(JSON.stringify({ reviewers: [{ id: 'x', tokenSha256: entry.tokenSha256 }] }))).toThrow(/invalid/);
  });
});
