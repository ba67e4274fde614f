import type { Db } from 'mongodb';
import { openRecord, sealRecord, type DataKeyring, type EncryptedEnvelope } from '../crypto/data-encryption';
import { collections, deleteExpiredDocuments, isDuplicateKeyError } from './mongo';

/**
 * The credentials signed for one set of presentment keys of one instance, one holder data set
 * version and one renewal period (`_id` = `<tenant>/<credentialInstanceId>/<keysDigest>/<credentialVersion>/<period>`), so a get
 * repeated with the same keys and unchanged data returns the same credentials (re-encrypted to
 * that get's walletEncryptionKey) instead of signing again. Credentials are personal data: sealed
 * with the data keyring (profile §15), the record id the authenticated identity. Kept until the
 * credentials expire, then swept.
 */
export interface IssuedCredentialSet {
  /** One per presentment key, in the order of the keys of the request that signed them. */
  credentials: string[];
  /** base64url SHA-256 thumbprints (RFC 7638) of the keys, in the same order. */
  keyThumbprints: string[];
  credentialVersion: string;
  /** When the first of them expires. */
  expiresAt: Date;
  /** Their Token Status List entries, in the same order: a lifecycle change sets them all (profile §29). */
  statusEntries: StatusListEntryRef[];
}

export interface StatusListEntryRef {
  listId: string;
  index: number;
}

interface IssuedCredentialDocument {
  _id: string;
  tenantId: string;
  credentialInstanceId: string;
  credentialVersion: string;
  sealed: EncryptedEnvelope;
  /** Not personal data (a list and a position), so not sealed: a status change reads them without the keyring. */
  statusEntries?: StatusListEntryRef[];
  issuedAt: Date;
  expiresAt: Date;
}

export function issuedCredentialSetId(ref: {
  tenantId: string;
  credentialInstanceId: string;
  keysDigest: string;
  credentialVersion: string;
  /** Profile §29, Refresh: the renewal period the set was signed in. */
  renewalPeriod: number;
}): string {
  return `${ref.tenantId}/${ref.credentialInstanceId}/${ref.keysDigest}/${ref.credentialVersion}/${ref.renewalPeriod}`;
}

const identity = (id: string) => `${collections.issuedCredentials}|${id}`;

export function createIssuedCredentialStore(db: Db, keyring: DataKeyring, options: { clock?: () => Date } = {}) {
  const clock = options.clock ?? (() => new Date());
  const sets = db.collection<IssuedCredentialDocument>(collections.issuedCredentials);

  function open(document: IssuedCredentialDocument): IssuedCredentialSet {
    const { credentials, keyThumbprints } = JSON.parse(openRecord(keyring, document.sealed, identity(document._id)).toString('utf8')) as {
      credentials: string[];
      keyThumbprints: string[];
    };
    return {
      credentials,
      keyThumbprints,
      credentialVersion: document.credentialVersion,
      expiresAt: document.expiresAt,
      statusEntries: document.statusEntries ?? [],
    };
  }

  return {
    /** The set signed earlier; null when none was, or it has expired. */
    async find(id: string): Promise<IssuedCredentialSet | null> {
      const document = await sets.findOne({ _id: id });
      return document && document.expiresAt > clock() ? open(document) : null;
    },

    /**
     * Keeps a freshly signed set; when another execution kept one first (a retried issuance racing
     * the first), that one wins and is returned, and the set given here is never delivered.
     */
    async keep(id: string, owner: { tenantId: string; credentialInstanceId: string }, set: IssuedCredentialSet): Promise<IssuedCredentialSet> {
      const sealed = sealRecord(
        keyring,
        Buffer.from(JSON.stringify({ credentials: set.credentials, keyThumbprints: set.keyThumbprints }), 'utf8'),
        identity(id),
      );
      try {
        await sets.insertOne({
          _id: id,
          ...owner,
          credentialVersion: set.credentialVersion,
          sealed,
          statusEntries: set.statusEntries,
          issuedAt: clock(),
          expiresAt: set.expiresAt,
        });
        return set;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        const first = await sets.findOne({ _id: id });
        if (!first) throw error;
        return open(first);
      }
    },

    /**
     * The status entries of every set of the instance that has not expired (profile §29: a
     * lifecycle change sets them all; an expired credential is no longer accepted anyway).
     */
    async statusEntriesOf(owner: { tenantId: string; credentialInstanceId: string }, now = clock()): Promise<StatusListEntryRef[]> {
      const found = await sets
        .find({ tenantId: owner.tenantId, credentialInstanceId: owner.credentialInstanceId, expiresAt: { $gt: now } }, { projection: { statusEntries: 1 } })
        .toArray();
      return found.flatMap((document) => document.statusEntries ?? []);
    },

    /** Deletes up to `limit` expired sets; returns how many. */
    async deleteExpired(limit = 1000, now = clock()): Promise<number> {
      return deleteExpiredDocuments(sets, now, limit);
    },
  };
}
export type IssuedCredentialStore = ReturnType<typeof createIssuedCredentialStore>;
