import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { Db } from 'mongodb';
import { collections, isDuplicateKeyError } from './mongo';

/**
 * One-time codes the issuer delivers through its own channel (SMS, e-mail, letter; profile
 * §One-time codes). One active code per holder account: a new one replaces the old. Only a
 * salted SHA-256 is stored; each code allows `maxAttempts` tries, counted by inserting numbered
 * attempt records (no conditional updates), and is used once.
 */
interface OneTimeCodeRecord {
  _id: string;
  issueId: string;
  codeHash: string;
  credentialConfigurationIds: string[];
  expiresAt: Date;
  createdAt: Date;
}

export type OneTimeCodeCheck = 'accepted' | 'incorrect' | 'locked' | 'expired' | 'unknown' | 'used';
export const oneTimeCodeMaxAttempts = 5;

const hashCode = (issueId: string, code: string) => createHash('sha256').update(`${issueId}\u0000${code}`, 'utf8').digest();

export function createOneTimeCodeRepository(db: Db) {
  const codes = db.collection<OneTimeCodeRecord>(collections.oneTimeCodes);
  const attempts = db.collection<{ _id: string; issueId: string; by: string; at: Date }>(collections.oneTimeCodeAttempts);
  const uses = db.collection<{ _id: string; by: string; at: Date }>(collections.oneTimeCodeUses);

  return {
    /** Issues an 8-digit code for the account, replacing any earlier one; the caller delivers it. */
    async issue(holderAccountId: string, credentialConfigurationIds: string[], ttlMs: number): Promise<{ code: string; expiresAt: Date }> {
      const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
      const issueId = `${holderAccountId}/${Date.now()}-${randomInt(0, 1_000_000)}`;
      const now = new Date();
      const expiresAt = new Date(now.getTime() + ttlMs);
      await codes.replaceOne(
        { _id: holderAccountId },
        { issueId, codeHash: hashCode(issueId, code).toString('base64url'), credentialConfigurationIds, expiresAt, createdAt: now },
        { upsert: true },
      );
      return { code, expiresAt };
    },

    /** Checks a code presented for `holderAccountId` by a verification (`by`); idempotent for the same verification. */
    async check(
      holderAccountId: string,
      code: string,
      by: string,
      credentialConfigurationIds: string[],
      now = new Date(),
    ): Promise<OneTimeCodeCheck | 'not_for_configuration'> {
      const record = await codes.findOne({ _id: holderAccountId });
      if (!record) return 'unknown';
      const use = await uses.findOne({ _id: record.issueId });
      if (use) return use.by === by ? 'accepted' : 'used';
      if (record.expiresAt.getTime() <= now.getTime()) return 'expired';
      if (!credentialConfigurationIds.every((id) => record.credentialConfigurationIds.includes(id))) return 'not_for_configuration';
      // Take the next attempt slot first: the limit holds even under concurrent guesses.
      let slot = 0;
      for (let k = 1; k <= oneTimeCodeMaxAttempts && slot === 0; k += 1) {
        try {
          await attempts.insertOne({ _id: `${record.issueId}#${k}`, issueId: record.issueId, by, at: now });
          slot = k;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
        }
      }
      if (slot === 0) return 'locked';
      const expected = Buffer.from(record.codeHash, 'base64url');
      if (!timingSafeEqual(expected, hashCode(record.issueId, code))) return 'incorrect';
      try {
        await uses.insertOne({ _id: record.issueId, by, at: now });
        return 'accepted';
      } catch (error) {
        if (isDuplicateKeyError(error)) return (await uses.findOne({ _id: record.issueId }))?.by === by ? 'accepted' : 'used';
        throw error;
      }
    },
  };
}
export type OneTimeCodeRepository = ReturnType<typeof createOneTimeCodeRepository>;
