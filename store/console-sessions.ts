import { createHash, randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { collections, deleteExpiredDocuments } from './mongo';

/**
 * Sessions of the reviewer console (api/console/): a browser signs in once with its admin
 * token and then carries a random session secret in a cookie. Only the secret's SHA-256 is
 * stored (a copy of this collection opens no session), with the admin credential's token hash
 * (never the token) so the session ends with the credential, a CSRF token for its forms, and
 * two expiries: idle (renewed as it is used) and absolute. Shared by every API process.
 */
export interface ConsoleSession {
  /** SHA-256 (base64url) of the session secret the cookie carries. */
  _id: string;
  adminId: string;
  role: string;
  /** Hex SHA-256 of the admin token it signed in with (api/admin/admin-credentials.ts). */
  credentialHash: string;
  /** Sent back in every form; a POST without it is refused (cross-site request forgery). */
  csrfToken: string;
  createdAt: Date;
  /** Idle expiry: renewed by use, at most once a minute. */
  expiresAt: Date;
  /** Absolute expiry: a session never outlives it, used or not. */
  endsAt: Date;
}

const secretId = (secret: string) => createHash('sha256').update(secret).digest('base64url');
/** Renewing the idle expiry costs a write: not more often than this. */
const renewEveryMs = 60_000;

export function createConsoleSessionStore(db: Db, options: { idleMs: number; maxMs: number; now?: () => Date }) {
  const sessions = db.collection<ConsoleSession>(collections.consoleSessions);
  const now = options.now ?? (() => new Date());
  return {
    /** A new session; returns the secret for the cookie (it is not kept). */
    async open(identity: { id: string; role: string }, credentialHash: string): Promise<{ secret: string; session: ConsoleSession }> {
      const secret = randomBytes(32).toString('base64url');
      const at = now();
      const session: ConsoleSession = {
        _id: secretId(secret),
        adminId: identity.id,
        role: identity.role,
        credentialHash,
        csrfToken: randomBytes(32).toString('base64url'),
        createdAt: at,
        expiresAt: new Date(Math.min(at.getTime() + options.idleMs, at.getTime() + options.maxMs)),
        endsAt: new Date(at.getTime() + options.maxMs),
      };
      await sessions.insertOne(session);
      return { secret, session };
    },

    /** The live session of a cookie's secret, its idle expiry renewed; undefined once expired or closed. */
    async find(secret: string): Promise<ConsoleSession | undefined> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
      const session = await sessions.findOne({ _id: secretId(secret) });
      const at = now().getTime();
      if (!session || session.expiresAt.getTime() <= at || session.endsAt.getTime() <= at) return undefined;
      const renewed = Math.min(at + options.idleMs, session.endsAt.getTime());
      if (renewed - session.expiresAt.getTime() >= renewEveryMs) {
        session.expiresAt = new Date(renewed);
        await sessions.updateOne({ _id: session._id }, { $set: { expiresAt: session.expiresAt } });
      }
      return session;
    },

    /** Signs out: the secret opens nothing any more. */
    async close(secret: string): Promise<void> {
      await sessions.deleteOne({ _id: secretId(secret) });
    },

    /** Deletes sessions past their idle expiry (FerretDB has no TTL indexes; store/mongo.ts). */
    sweepExpired(limit = 1000): Promise<number> {
      return deleteExpiredDocuments(sessions, now(), limit);
    },
  };
}
export type ConsoleSessionStore = ReturnType<typeof createConsoleSessionStore>;
