import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hashAdminToken, parseAdminCredentials, type AdminCredentialEntry, type AdminCredentialsFile } from '../api/admin/admin-credentials';
import { AdminCaller } from '../api/admin/route';
import { loadConfig } from '../config/config';
import { runCommand } from './command';

const roles = Object.values(AdminCaller);

const usage = `Mints a bearer token for the admin API and adds its hash to the credentials file.

  npm run admin-credential -- --id ID --role ROLE [--provider NAME] [--days N] [--rotate [--grace-hours H]]
  npm run admin-credential -- --revoke ID

  --id           who acts with it (a reviewer's id, the back office's name, ...): audited and logged
  --role         ${roles.join(' | ')}
  --provider     role provider only: the verification provider whose verdicts it reports
  --days         validity in days (default 90)
  --rotate       the id's other credentials expire after --grace-hours (default 24), so the
                 caller can switch to the new token without an outage
  --revoke ID    removes every credential of ID at once
  --file         the credentials file (default: S2S_ADMIN_TOKENS_FILE)

The token is printed once, on stdout; the file keeps its SHA-256 only. The admin listener reads
the file again when it changes: no restart.`;

/** A token of 32 random bytes (base64url, 43 characters) and its credential entry. */
export function mintAdminCredential(options: { id: string; role: AdminCaller; provider?: string; days: number; now?: Date }): {
  token: string;
  entry: AdminCredentialEntry;
} {
  const now = options.now ?? new Date();
  const token = randomBytes(32).toString('base64url');
  return {
    token,
    entry: {
      id: options.id,
      role: options.role,
      ...(options.provider ? { provider: options.provider } : {}),
      tokenSha256: hashAdminToken(token),
      notAfter: new Date(now.getTime() + options.days * 24 * 60 * 60 * 1000).toISOString(),
    },
  };
}

export function readAdminCredentialsFile(file: string): AdminCredentialsFile {
  if (!existsSync(file)) return { credentials: [] };
  return JSON.parse(readFileSync(file, 'utf8')) as AdminCredentialsFile;
}

/**
 * Writes the file in place (same inode), checked with the listener's own parser first. Not
 * through a rename: a container sees the file through a bind mount of it (docker-compose.yml
 * secrets), which keeps showing the old inode. A listener that reads the file half-written finds
 * it invalid, keeps the credentials it has, and reads it again at its next check.
 */
export function writeAdminCredentialsFile(file: string, content: AdminCredentialsFile): void {
  const text = JSON.stringify(content, null, 2);
  parseAdminCredentials(text);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode: 0o600 });
}

/** Adds `entry`; with `rotateGraceMs`, the id's other credentials end at the latest that much later. */
export function addAdminCredential(file: string, entry: AdminCredentialEntry, options: { rotateGraceMs?: number; now?: Date } = {}): void {
  const now = options.now ?? new Date();
  const current = readAdminCredentialsFile(file).credentials.map((existing) => {
    if (options.rotateGraceMs === undefined || existing.id !== entry.id) return existing;
    const until = new Date(Math.min(Date.parse(existing.notAfter), now.getTime() + options.rotateGraceMs)).toISOString();
    return { ...existing, notAfter: until };
  });
  writeAdminCredentialsFile(file, { credentials: [...current, entry] });
}

export function revokeAdminCredentials(file: string, id: string): number {
  const current = readAdminCredentialsFile(file).credentials;
  const kept = current.filter((c) => c.id !== id);
  writeAdminCredentialsFile(file, { credentials: kept });
  return current.length - kept.length;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      id: { type: 'string' },
      role: { type: 'string' },
      provider: { type: 'string' },
      days: { type: 'string', default: '90' },
      rotate: { type: 'boolean' },
      'grace-hours': { type: 'string', default: '24' },
      revoke: { type: 'string' },
      file: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const file = values.file ?? loadConfig().admin.tokensFile;
  if (values.revoke) {
    console.error(`removed ${revokeAdminCredentials(file, values.revoke)} credential(s) of ${values.revoke}`);
    return;
  }
  const role = roles.find((r) => r === values.role);
  const days = Number(values.days);
  if (values.help || !values.id || !role || !(days > 0) || (role === AdminCaller.provider) !== Boolean(values.provider)) {
    console.log(usage);
    process.exit(values.help ? 0 : 2);
  }
  const { token, entry } = mintAdminCredential({ id: values.id, role, ...(values.provider ? { provider: values.provider } : {}), days });
  addAdminCredential(file, entry, values.rotate ? { rotateGraceMs: Number(values['grace-hours']) * 60 * 60 * 1000 } : {});
  console.error(`added a ${role} credential for ${entry.id}, valid until ${entry.notAfter}, to ${file}`);
  console.log(token);
}

if (require.main === module) runCommand('admin-credential', main);
