import type { Db } from 'mongodb';
import { VerificationState } from '../domain/verification-state';
import { collections, isDuplicateKeyError } from './mongo';
import { currentDecision, createVerificationSessionRepository, sessionDocumentId, type SessionKey } from './verification-sessions';

/**
 * Which holder account a verification stands for (profile §Credential configurations, Session →
 * holder). Evidence that names an issuer account records it against the verification when it
 * is accepted: a redeemed Credential Offer (its holderAccountId), an accepted one-time code (the
 * account it was issued for), a completed issuer sign-in (the account the holder logged in to).
 * Issuance asks for the holder of a session and gets one only when the session's current
 * verification is APPROVED and names exactly one account; a session approved by device migration
 * (profile §18) inherits the holder of the session it migrated from.
 */
export type HolderBindingSource = 'credential-offer' | 'one-time-code' | 'issuer-authentication';

export interface VerificationKey extends SessionKey {
  verificationId: string;
}

interface BindingDocument {
  _id: string;
  tenantId: string;
  sessionId: string;
  verificationId: string;
  holderAccountIds: string[];
  sources: HolderBindingSource[];
  updatedAt: Date;
}

export type SessionHolder =
  | { outcome: 'holder'; holderAccountId: string; verificationId: string }
  /** No session, or its current verification is not APPROVED: nothing may be issued. */
  | { outcome: 'not_approved' }
  /** Approved by evidence that names no account (e.g. identity evidence alone): the holder is not known. */
  | { outcome: 'no_holder' }
  /** Two pieces of evidence named different accounts: the issuer cannot tell whose credential this is. */
  | { outcome: 'ambiguous' };

const bindingId = (key: VerificationKey) => `${sessionDocumentId(key)}/${key.verificationId}`;

/** Migrations followed at most this far back (each hop is one more Wallet Client Instance). */
const maxMigrationHops = 8;

export function createSessionHolderRepository(db: Db) {
  const bindings = db.collection<BindingDocument>(collections.sessionHolders);
  const sessions = createVerificationSessionRepository(db);
  const slots = db.collection<{ _id: string; previousSessionKey: string; tenantId: string; newSessionId: string }>(collections.deviceMigrations);

  async function holderOf(key: SessionKey, hops: number): Promise<SessionHolder> {
    const session = await sessions.get(key);
    if (!session || currentDecision(session).status !== VerificationState.approved) return { outcome: 'not_approved' };
    const binding = await bindings.findOne({ _id: bindingId({ ...key, verificationId: session.verificationId }) });
    const accounts = binding?.holderAccountIds ?? [];
    if (accounts.length > 1) return { outcome: 'ambiguous' };
    if (accounts.length === 1) return { outcome: 'holder', holderAccountId: accounts[0] as string, verificationId: session.verificationId };
    // Profile §18: a migrated session holds a device slot of the approved session it came from.
    const slot = hops < maxMigrationHops ? await slots.findOne({ tenantId: key.tenantId, newSessionId: key.sessionId }) : null;
    if (!slot) return { outcome: 'no_holder' };
    const previousSessionId = slot.previousSessionKey.slice(key.tenantId.length + 1);
    const previous = await holderOf({ tenantId: key.tenantId, sessionId: previousSessionId }, hops + 1);
    return previous.outcome === 'holder'
      ? { ...previous, verificationId: session.verificationId }
      : previous.outcome === 'ambiguous'
        ? previous
        : { outcome: 'no_holder' };
  }

  return {
    /**
     * Records that accepted evidence of a verification names a holder account. Adding to a set
     * commutes, so a retried activity or request records nothing twice; a second, different
     * account makes the verification's holder ambiguous, never silently replaced.
     */
    async recordHolder(key: VerificationKey, holderAccountId: string, source: HolderBindingSource): Promise<void> {
      const write = () =>
        bindings.updateOne(
          { _id: bindingId(key) },
          {
            $addToSet: { holderAccountIds: holderAccountId, sources: source },
            $set: { tenantId: key.tenantId, sessionId: key.sessionId, verificationId: key.verificationId, updatedAt: new Date() },
          },
          { upsert: true },
        );
      try {
        await write();
      } catch (error) {
        // Two first writes raced on the upsert's insert: the document exists now, add to it.
        if (!isDuplicateKeyError(error)) throw error;
        await write();
      }
    },

    /** The accounts recorded for one verification (whatever its status). */
    async holdersOfVerification(key: VerificationKey): Promise<string[]> {
      return (await bindings.findOne({ _id: bindingId(key) }))?.holderAccountIds ?? [];
    },

    /** The holder whose credentials a session may receive (see above). */
    holderOfSession: (key: SessionKey) => holderOf(key, 0),
  };
}
export type SessionHolderRepository = ReturnType<typeof createSessionHolderRepository>;
