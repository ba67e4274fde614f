import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Db } from 'mongodb';
import type { DataKeyring } from '../crypto/data-encryption';
import { collections, isDuplicateKeyError } from './mongo';

/**
 * One-time codes the issuer delivers through its own channel (SMS, e-mail, letter; profile
 * §One-time codes). A code is issued for one holder account **at one Wallet Server (tenant)**:
 * only verifications of that tenant can use it, try it or lock it. One active code per
 * (tenant, holder account): a new one replaces the old.
 *
 * Only an HMAC-SHA256 of the code under a server key (S2S_OTP_KEYS_FILE) is stored: 8 digits
 * are 10^8 candidates, which a plain hash would give up to anyone who can read the database.
 *
 * Attempts are limited twice, both counted by inserting numbered attempt records (the insert
 * decides: FerretDB has no atomic conditional update):
 * - per code: `maxAttemptsPerCode` tries, then the code is locked;
 * - per (tenant, holder account) across codes: `maxAttemptsPerHolder` tries per fixed window, so
 *   that issuing codes again does not give unlimited guesses. The scope is the tenant's, not the
 *   holder's across tenants: another Wallet Server's tries must not lock the holder out.
 */
interface OneTimeCodeRecord {
  _id: string;
  tenantId: string;
  issueId: string;
  /** The key that made codeHash (rotation: older codes keep checking with theirs). */
  kid: string;
  codeHash: string;
  credentialConfigurationIds: string[];
  expiresAt: Date;
  createdAt: Date;
}

export type OneTimeCodeCheck = 'accepted' | 'incorrect' | 'locked' | 'expired' | 'unknown' | 'used' | 'not_for_configuration';

export interface OneTimeCodeLimits {
  maxAttemptsPerCode: number;
  maxAttemptsPerHolder: number;
  /** The window the per-holder ceiling counts in (fixed windows, aligned to the epoch). */
  holderWindowMs: number;
}

export const defaultOneTimeCodeLimits: OneTimeCodeLimits = { maxAttemptsPerCode: 5, maxAttemptsPerHolder: 10, holderWindowMs: 24 * 3600_000 };

/** The record key: the tenant's UUID has no '/', so the first '/' separates it from the account. */
export const oneTimeCodeKey = (tenantId: string, holderAccountId: string) => `${tenantId}/${holderAccountId}`;

/** HMAC over everything the code is bound to; issueId is unique per issue, so equal codes never hash alike. */
function hashCode(key: Buffer, record: Pick<OneTimeCodeRecord, 'tenantId' | 'issueId'>, code: string): Buffer {
  return createHmac('sha256', key).update(`one-time-code\u0000${record.tenantId}\u0000${record.issueId}\u0000${code}`, 'utf8').digest();
}

export function createOneTimeCodeRepository(db: Db, keyring: DataKeyring, limits: OneTimeCodeLimits = defaultOneTimeCodeLimits) {
  const codes = db.collection<OneTimeCodeRecord>(collections.oneTimeCodes);
  const attempts = db.collection<{ _id: string; issueId: string; by: string; at: Date }>(collections.oneTimeCodeAttempts);
  const uses = db.collection<{ _id: string; by: string; at: Date }>(collections.oneTimeCodeUses);

  /** Takes the first free numbered slot under `prefix`; 0 when all `count` are taken. */
  async function takeSlot(prefix: string, count: number, record: { issueId: string; by: string; at: Date }): Promise<number> {
    for (let k = 1; k <= count; k += 1) {
      try {
        await attempts.insertOne({ _id: `${prefix}#${k}`, ...record });
        return k;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    return 0;
  }

  return {
    /** Issues an 8-digit code for the account at `tenantId`, replacing any earlier one there; the caller delivers it. */
    async issue(tenantId: string, holderAccountId: string, credentialConfigurationIds: string[], ttlMs: number): Promise<{ code: string; expiresAt: Date }> {
      const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
      const id = oneTimeCodeKey(tenantId, holderAccountId);
      const issueId = `${id}/${Date.now()}-${randomInt(0, 1_000_000)}`;
      const now = new Date();
      const expiresAt = new Date(now.getTime() + ttlMs);
      const kid = keyring.activeKid;
      await codes.replaceOne(
        { _id: id },
        {
          tenantId,
          issueId,
          kid,
          codeHash: hashCode(keyring.keys.get(kid) as Buffer, { tenantId, issueId }, code).toString('base64url'),
          credentialConfigurationIds,
          expiresAt,
          createdAt: now,
        },
        { upsert: true },
      );
      return { code, expiresAt };
    },

    /**
     * Checks a code presented for `holderAccountId` by a verification of `tenantId` (`by`);
     * idempotent for the same verification. Callers must not tell the refusals apart on the
     * wire (profile §One-time codes): they are distinguished here for logs and tests only.
     */
    async check(
      tenantId: string,
      holderAccountId: string,
      code: string,
      by: string,
      credentialConfigurationIds: string[],
      now = new Date(),
    ): Promise<OneTimeCodeCheck> {
      const id = oneTimeCodeKey(tenantId, holderAccountId);
      const record = await codes.findOne({ _id: id });
      if (record?.tenantId !== tenantId) return 'unknown';
      const use = await uses.findOne({ _id: record.issueId });
      if (use) return use.by === by ? 'accepted' : 'used';
      if (record.expiresAt.getTime() <= now.getTime()) return 'expired';
      // Take the attempt slots first: the limits hold even under concurrent guesses.
      const attempt = { issueId: record.issueId, by, at: now };
      if ((await takeSlot(record.issueId, limits.maxAttemptsPerCode, attempt)) === 0) return 'locked';
      const window = Math.floor(now.getTime() / limits.holderWindowMs);
      if ((await takeSlot(`${id}@${window}`, limits.maxAttemptsPerHolder, attempt)) === 0) return 'locked';
      const key = keyring.keys.get(record.kid);
      const expected = Buffer.from(record.codeHash, 'base64url');
      if (!key || !timingSafeEqual(expected, hashCode(key, record, code))) return 'incorrect';
      // Checked after the code, so that a wrong guess learns nothing about what the code is for.
      if (!credentialConfigurationIds.every((configuration) => record.credentialConfigurationIds.includes(configuration))) {
        return 'not_for_configuration';
      }
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
