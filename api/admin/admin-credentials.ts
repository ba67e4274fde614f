import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Type, type Static } from '@sinclair/typebox';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { AdminCaller } from './route';

/**
 * Admin credentials (profile §16 Admin credentials): one bearer token per caller, each with a
 * role (the AdminCaller whose routes it may call), an expiry and, for a verification provider,
 * the provider name it speaks for. The file holds SHA-256 hashes only; tokens are shown once,
 * by the CLI that mints them (cli/admin-credential.ts).
 */

/** 32 random bytes in base64url: anything shorter was not minted by us and is refused. */
export const minimumTokenLength = 43;

export const ProviderName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });

export const AdminRole = Type.Union(Object.values(AdminCaller).map((role) => Type.Literal(role)));

export const AdminCredentialEntry = Type.Object(
  {
    /** Who acts (a reviewer's id, the back office's name, a provider's name): audited and logged. */
    id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$' }),
    role: AdminRole,
    /** Role provider only: the provider whose verdicts this credential reports (profile §12). */
    provider: Type.Optional(ProviderName),
    /** SHA-256 (hex) of the token. */
    tokenSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    notBefore: Type.Optional(Type.String({ format: 'date-time' })),
    notAfter: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type AdminCredentialEntry = Static<typeof AdminCredentialEntry>;

export const AdminCredentialsFile = Type.Object({ credentials: Type.Array(AdminCredentialEntry, { maxItems: 10_000 }) }, { additionalProperties: false });
export type AdminCredentialsFile = Static<typeof AdminCredentialsFile>;

/** Who an authenticated admin request comes from: never the token. */
export interface AdminIdentity {
  id: string;
  role: AdminCaller;
  provider?: string;
}

const validateFile = addFormats(new Ajv({ allErrors: true, strict: false }), ['date-time']).compile<AdminCredentialsFile>(AdminCredentialsFile);

export function hashAdminToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

interface LoadedCredential extends AdminIdentity {
  hash: Buffer;
  notBefore: number;
  notAfter: number;
}

/** Parses and checks a credentials file; a file that does not validate is refused as a whole. */
export function parseAdminCredentials(text: string): LoadedCredential[] {
  const parsed: unknown = JSON.parse(text);
  if (!validateFile(parsed)) {
    const first = validateFile.errors?.[0];
    throw new Error(`admin credentials file is invalid: ${first?.instancePath ?? ''} ${first?.message ?? ''}`.trim());
  }
  return parsed.credentials.map((entry, i) => {
    if ((entry.role === AdminCaller.provider) !== (entry.provider !== undefined)) {
      throw new Error(`admin credentials file is invalid: /credentials/${i} names a provider if and only if its role is provider`);
    }
    return {
      id: entry.id,
      role: entry.role,
      ...(entry.provider ? { provider: entry.provider } : {}),
      hash: Buffer.from(entry.tokenSha256, 'hex'),
      notBefore: entry.notBefore ? Date.parse(entry.notBefore) : Number.NEGATIVE_INFINITY,
      notAfter: Date.parse(entry.notAfter),
    };
  });
}

export interface AdminCredentialStoreOptions {
  file: string;
  /** How often the file's modification is looked at; a rotation takes effect within this. */
  recheckMs: number;
  now?: () => number;
  /** Told when a changed file cannot be loaded: the credentials loaded before stay in force. */
  onReloadFailure?: (error: unknown) => void;
}

/**
 * The credentials of the admin listener, read from the file and read again when its content
 * changes (it is small: read whole every recheckMs, so an in-place edit within the same
 * millisecond is not missed), so that adding, rotating and revoking a credential needs no
 * restart. Two entries with the same id and overlapping validity let a caller roll from the
 * old token to the new one. The first load must succeed (startup fails on a bad file).
 */
export function openAdminCredentialStore(options: AdminCredentialStoreOptions) {
  const now = options.now ?? Date.now;
  let loadedText = readFileSync(options.file, 'utf8');
  let credentials = parseAdminCredentials(loadedText);
  let checkedAt = now();
  let reloading: Promise<void> | undefined;

  async function reloadIfChanged(): Promise<void> {
    try {
      const text = await readFile(options.file, 'utf8');
      if (text === loadedText) return;
      credentials = parseAdminCredentials(text);
      loadedText = text;
    } catch (error) {
      options.onReloadFailure?.(error);
    }
  }

  /**
   * The identity of a credential by its token's hash (hex), while it is valid: also how a
   * reviewer console session, which keeps the hash and never the token, stays tied to the
   * credential it signed in with (revoked, rotated out or expired ends it).
   */
  async function identityOfHash(tokenHash: string): Promise<AdminIdentity | undefined> {
    if (!/^[0-9a-f]{64}$/.test(tokenHash)) return undefined;
    if (now() - checkedAt >= options.recheckMs) {
      checkedAt = now();
      reloading ??= reloadIfChanged().finally(() => (reloading = undefined));
    }
    if (reloading) await reloading;
    const presented = Buffer.from(tokenHash, 'hex');
    const at = now();
    // Every entry is compared, so the time taken does not tell which one matched.
    let found: LoadedCredential | undefined;
    for (const credential of credentials) {
      if (timingSafeEqual(credential.hash, presented) && !found) found = credential;
    }
    if (!found || at < found.notBefore || at >= found.notAfter) return undefined;
    return { id: found.id, role: found.role, ...(found.provider ? { provider: found.provider } : {}) };
  }

  return {
    /** The identity a presented token stands for, if it is known and valid now. */
    async authenticate(token: string): Promise<AdminIdentity | undefined> {
      if (token.length < minimumTokenLength) return undefined;
      return identityOfHash(hashAdminToken(token));
    },
    identityOfHash,
  };
}
export type AdminCredentialStore = ReturnType<typeof openAdminCredentialStore>;
