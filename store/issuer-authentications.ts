import { createHash, randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { collections, isDuplicateKeyError } from './mongo';
import { createSessionHolderRepository } from './session-holders';

/**
 * Holder authentication at an issuer surface (website or app), bound to one verification
 * (profile §Issuer-surface authentication). The handle in the login URL is 256 random bits; only
 * its SHA-256 is stored; it expires and completes once (insert on _id).
 */
interface AuthenticationRequest {
  _id: string;
  tenantId: string;
  sessionId: string;
  verificationId: string;
  expiresAt: Date;
  createdAt: Date;
}

const hashHandle = (handle: string) => createHash('sha256').update(handle, 'utf8').digest('base64url');

export function createIssuerAuthenticationRepository(db: Db) {
  const requests = db.collection<AuthenticationRequest>(collections.issuerAuthentications);
  const completions = db.collection<{ _id: string; holderAccountId: string; at: Date }>(collections.issuerAuthenticationCompletions);
  const holders = createSessionHolderRepository(db);
  return {
    /** A handle for this verification; the same verification gets a new one each time it asks. */
    async begin(ref: { tenantId: string; sessionId: string; verificationId: string }, ttlMs: number): Promise<string> {
      const handle = randomBytes(32).toString('base64url');
      const now = new Date();
      await requests.insertOne({ _id: hashHandle(handle), ...ref, expiresAt: new Date(now.getTime() + ttlMs), createdAt: now });
      return handle;
    },

    /** Completes a login once; returns the verification it belongs to, or why not. */
    async complete(
      handle: string,
      holderAccountId: string,
      now = new Date(),
    ): Promise<{ ref: { tenantId: string; sessionId: string; verificationId: string } } | { refused: 'unknown' | 'expired' | 'completed' }> {
      const id = hashHandle(handle);
      const request = await requests.findOne({ _id: id });
      if (!request) return { refused: 'unknown' };
      if (request.expiresAt.getTime() <= now.getTime()) return { refused: 'expired' };
      const ref = { tenantId: request.tenantId, sessionId: request.sessionId, verificationId: request.verificationId };
      try {
        await completions.insertOne({ _id: id, holderAccountId, at: now });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // A repeat for the same account finishes what a crash may have left unwritten; still refused.
        if ((await completions.findOne({ _id: id }))?.holderAccountId === holderAccountId)
          await holders.recordHolder(ref, holderAccountId, 'issuer-authentication');
        return { refused: 'completed' };
      }
      // The account the holder logged in to is the verification's holder (store/session-holders.ts).
      await holders.recordHolder(ref, holderAccountId, 'issuer-authentication');
      return { ref };
    },
  };
}
export type IssuerAuthenticationRepository = ReturnType<typeof createIssuerAuthenticationRepository>;
