import { randomInt, randomUUID } from 'node:crypto';
import { Binary, type Db } from 'mongodb';
import { StatusValue, isStatusChangeAllowed, issuerStatusListBits, issuerStatusListSize, type StatusListBits } from '../domain/status-lists/status-list';
import { collections, insertFirstWins, isDuplicateKeyError } from './mongo';

/**
 * Token Status Lists (draft-ietf-oauth-status-list) as stored: which indexes are taken, which
 * entries are not VALID, and the last signed tokens. Every decision is an insert on `_id` or a
 * write to a document only one kind of writer touches (docs/architecture.md §Storage rules): on
 * FerretDB an update is a read-modify-write of the whole document, so two writers of different
 * fields of one document could lose each other's field.
 *
 * - `status_lists` (`_id` = listId, "1", "2", …): bits, size, and an allocation counter that
 *   decides when the next list opens (only allocations write it; a lost increment on FerretDB only
 *   lets a list fill a little further).
 * - `status_list_entries` (`_id` = `listId#index`): one per index ever handed out. The insert is
 *   the allocation (first one wins) and the document is never deleted, so an index is never
 *   reused, also after a crash between allocation and issuance.
 * - `status_list_assignments` (`_id` = the caller's key, e.g. a credential id): makes allocation
 *   repeatable; a retry gets the index the first attempt recorded.
 * - `status_list_statuses` (`_id` = `listId#index`): only entries that were ever set away from
 *   VALID, so building a list reads the few changed entries, not the ~100 000 allocated ones.
 * - `status_list_changes` (`_id` = listId): a random change id written after every status write;
 *   a snapshot built for another change id is stale.
 * - `status_list_snapshots` (`_id` = listId): the signed tokens and the change id they were built
 *   for, written only by publication.
 */

export interface StatusListRecord {
  _id: string;
  sequence: number;
  bits: StatusListBits;
  size: number;
  createdAt: Date;
  /** Indexes handed out (approximate on FerretDB, exact on MongoDB). */
  allocated: number;
}

interface StatusListEntry {
  _id: string;
  listId: string;
  index: number;
  allocatedAt: Date;
}

interface StatusListAssignment {
  _id: string;
  listId: string;
  index: number;
  assignedAt: Date;
}

interface StatusListStatus {
  _id: string;
  listId: string;
  index: number;
  status: StatusValue;
  updatedAt: Date;
}

interface StatusListChange {
  _id: string;
  changeId: string;
  changedAt: Date;
}

export interface StatusListSnapshot {
  _id: string;
  /** The change id the tokens reflect (`initial` before any status was set). */
  builtFor: string;
  builtAt: Date;
  expiresAt: Date;
  jwt: string;
  cwt: Uint8Array;
}

/** The change id of a list whose entries were never changed. */
export const initialChangeId = 'initial';

export class UnknownStatusListEntryError extends Error {
  constructor(listId: string, index: number) {
    super(`status list ${listId} has no allocated entry ${index}`);
  }
}

export class StatusChangeRefusedError extends Error {
  constructor(
    readonly current: StatusValue,
    readonly requested: StatusValue,
  ) {
    super(`a status list entry cannot go from ${current} to ${requested} (revocation is final)`);
  }
}

export interface StatusListStoreOptions {
  /** Entries per list; at least 100 000 in production (profile §Status lists). Tests use less. */
  size?: number;
  bits?: StatusListBits;
  /** Share of a list handed out before the next list opens. */
  fillThreshold?: number;
  /** Random indexes tried in one list before it is treated as full. */
  attemptsPerList?: number;
  /** How long the newest list, once read, is taken as the open one (0: read every time). */
  latestListCacheMs?: number;
  clock?: () => Date;
}

export function createStatusListStore(db: Db, options: StatusListStoreOptions = {}) {
  const size = options.size ?? issuerStatusListSize;
  const bits = options.bits ?? issuerStatusListBits;
  const fillThreshold = options.fillThreshold ?? 0.75;
  const attemptsPerList = options.attemptsPerList ?? 16;
  const clock = options.clock ?? (() => new Date());
  const lists = db.collection<StatusListRecord>(collections.statusLists);
  const entries = db.collection<StatusListEntry>(collections.statusListEntries);
  const assignments = db.collection<StatusListAssignment>(collections.statusListAssignments);
  const statuses = db.collection<StatusListStatus>(collections.statusListStatuses);
  const changes = db.collection<StatusListChange>(collections.statusListChanges);
  const snapshots = db.collection<StatusListSnapshot>(collections.statusListSnapshots);
  const entryId = (listId: string, index: number) => `${listId}#${index}`;
  // A list's counter read up to this long ago may be a batch or two behind: the fill threshold
  // is a soft limit (collisions open the next list anyway), and it saves a read per issuance.
  const latestListCacheMs = options.latestListCacheMs ?? 1000;

  /** Opens list number `sequence`, or finds it when another allocator opened it first. */
  async function openList(sequence: number): Promise<StatusListRecord> {
    const list: StatusListRecord = { _id: String(sequence), sequence, bits, size, createdAt: clock(), allocated: 0 };
    try {
      await lists.insertOne(list);
      return list;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await lists.findOne({ _id: list._id });
      if (!existing) throw error;
      return existing;
    }
  }

  /** The newest list as read at most `latestListCacheMs` ago: which list is open changes rarely. */
  let cachedLatest: { list: StatusListRecord; readAt: number } | undefined;
  async function latestList(): Promise<StatusListRecord> {
    const at = clock().getTime();
    if (cachedLatest && at - cachedLatest.readAt < latestListCacheMs) return cachedLatest.list;
    const [latest] = await lists.find({}).sort({ sequence: -1 }).limit(1).toArray();
    const list = latest ?? (await openList(1));
    cachedLatest = { list, readAt: at };
    return list;
  }

  /**
   * Takes up to `count` unused random indexes of `list` by inserting their entries in one
   * unordered insert (first insert of an entry wins), trying again for the ones that hit a taken
   * index; fewer when the tries keep colliding. Draft §Privacy Considerations (Unlinkability): a
   * random index, so the position tells nothing about the order of issuance; it is taken by the
   * insert, never by a read.
   */
  async function takeIndexes(list: StatusListRecord, count: number): Promise<number[]> {
    const taken: number[] = [];
    for (let attempt = 0; attempt < attemptsPerList && taken.length < count; attempt += 1) {
      const tries = new Set<number>();
      while (tries.size < Math.min(count - taken.length, list.size)) tries.add(randomInt(list.size));
      const indexes = [...tries];
      const allocatedAt = clock();
      const refused = await insertFirstWins(
        entries,
        indexes.map((index) => ({ _id: entryId(list._id, index), listId: list._id, index, allocatedAt })),
      );
      taken.push(...indexes.filter((_, i) => !refused.has(i)));
    }
    return taken;
  }

  /** `count` unused random indexes of the open list (a new one once it is full), taken at once. */
  async function allocateIndexes(count: number): Promise<{ listId: string; index: number }[]> {
    const allocated: { listId: string; index: number }[] = [];
    let list = await latestList();
    if (list.allocated >= fillThreshold * list.size) {
      list = await openList(list.sequence + 1);
      cachedLatest = { list, readAt: clock().getTime() };
    }
    for (let round = 0; round < 4; round += 1) {
      const open = list;
      const taken = await takeIndexes(open, count - allocated.length);
      // The counter only decides when the next list opens: one increment per batch.
      if (taken.length > 0) await lists.updateOne({ _id: open._id }, { $inc: { allocated: taken.length } });
      allocated.push(...taken.map((index) => ({ listId: open._id, index })));
      if (allocated.length === count) return allocated;
      // Some tries all collided: the list is fuller than its counter says; the next list takes the rest.
      list = await openList(open.sequence + 1);
      cachedLatest = { list, readAt: clock().getTime() };
    }
    throw new Error('no free status list index found');
  }

  /**
   * An index for each credential `keys` name, in the list that is open: random indexes never
   * handed out before, taken in one batch (the entries in parallel, one counter update). Safe to
   * repeat: a key gets the entry its first allocation recorded (an index taken by an attempt that
   * lost the race is left unused, never handed out again).
   */
  async function allocateMany(keys: readonly string[]): Promise<{ listId: string; index: number }[]> {
    const recorded = new Map((await assignments.find({ _id: { $in: [...keys] } }).toArray()).map((a) => [a._id, { listId: a.listId, index: a.index }]));
    const missing = [...new Set(keys.filter((key) => !recorded.has(key)))];
    if (missing.length > 0) {
      const fresh = await allocateIndexes(missing.length);
      const assignedAt = clock();
      const offered = missing.map((key, i) => ({ _id: key, ...(fresh[i] as { listId: string; index: number }), assignedAt }));
      const lost = await insertFirstWins(assignments, offered);
      for (const [i, assignment] of offered.entries()) if (!lost.has(i)) recorded.set(assignment._id, { listId: assignment.listId, index: assignment.index });
      if (lost.size > 0) {
        // A concurrent attempt for the same credentials recorded theirs first: theirs stand.
        const first = await assignments.find({ _id: { $in: offered.filter((_, i) => lost.has(i)).map((a) => a._id) } }).toArray();
        for (const assignment of first) recorded.set(assignment._id, { listId: assignment.listId, index: assignment.index });
      }
      if (missing.some((key) => !recorded.has(key))) throw new Error('a status list assignment lost to one that cannot be read');
    }
    return keys.map((key) => recorded.get(key) as { listId: string; index: number });
  }

  return {
    allocateMany,

    /** allocateMany for one credential. */
    async allocate(key: string): Promise<{ listId: string; index: number }> {
      return (await allocateMany([key]))[0] as { listId: string; index: number };
    },

    /**
     * Sets an allocated entry's status (the lifecycle: revoke, suspend, resume). Idempotent:
     * setting the status it has changes nothing a Relying Party sees; after a crash the call is
     * simply repeated. INVALID is final (isStatusChangeAllowed).
     */
    async setStatus(listId: string, index: number, status: StatusValue): Promise<void> {
      const id = entryId(listId, index);
      if (!(await entries.findOne({ _id: id }, { projection: { _id: 1 } }))) throw new UnknownStatusListEntryError(listId, index);
      const current = (await statuses.findOne({ _id: id }))?.status ?? StatusValue.valid;
      if (!isStatusChangeAllowed(current, status)) throw new StatusChangeRefusedError(current, status);
      const now = clock();
      await statuses.updateOne({ _id: id }, { $set: { listId, index, status, updatedAt: now } }, { upsert: true });
      // After the status: a snapshot built for an older change id is rebuilt, and a builder that
      // read this change id reads the status above too.
      await changes.updateOne({ _id: listId }, { $set: { changeId: randomUUID(), changedAt: now } }, { upsert: true });
    },

    /**
     * Sets the status of many allocated entries at once (a lifecycle change of an instance,
     * profile §29): the same rules as setStatus, with one read of the entries, one of their
     * statuses, one write of the statuses and one change mark per list touched. An entry that is
     * INVALID and asked to be anything else refuses the whole call before anything is written.
     */
    async setStatusMany(refs: readonly { listId: string; index: number }[], status: StatusValue): Promise<void> {
      if (refs.length === 0) return;
      const ids = [...new Set(refs.map((ref) => entryId(ref.listId, ref.index)))];
      const known = new Set((await entries.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray()).map((entry) => entry._id));
      const missing = refs.find((ref) => !known.has(entryId(ref.listId, ref.index)));
      if (missing) throw new UnknownStatusListEntryError(missing.listId, missing.index);
      const current = new Map((await statuses.find({ _id: { $in: ids } }).toArray()).map((entry) => [entry._id, entry.status]));
      for (const id of ids) {
        const was = current.get(id) ?? StatusValue.valid;
        if (!isStatusChangeAllowed(was, status)) throw new StatusChangeRefusedError(was, status);
      }
      const now = clock();
      const byId = new Map(refs.map((ref) => [entryId(ref.listId, ref.index), ref]));
      await statuses.bulkWrite(
        ids.map((id) => {
          const ref = byId.get(id) as { listId: string; index: number };
          return { updateOne: { filter: { _id: id }, update: { $set: { listId: ref.listId, index: ref.index, status, updatedAt: now } }, upsert: true } };
        }),
        { ordered: false },
      );
      // After the statuses, as in setStatus: a snapshot built for an older change id is rebuilt.
      await Promise.all(
        [...new Set(refs.map((ref) => ref.listId))].map((listId) =>
          changes.updateOne({ _id: listId }, { $set: { changeId: randomUUID(), changedAt: now } }, { upsert: true }),
        ),
      );
    },

    /** An entry's status; undefined when the index was never allocated. */
    async statusOf(listId: string, index: number): Promise<StatusValue | undefined> {
      const id = entryId(listId, index);
      if (!(await entries.findOne({ _id: id }, { projection: { _id: 1 } }))) return undefined;
      return (await statuses.findOne({ _id: id }))?.status ?? StatusValue.valid;
    },

    findList(listId: string): Promise<StatusListRecord | null> {
      return lists.findOne({ _id: listId });
    },

    /** The list's current change id (read before its statuses when building a snapshot). */
    async changeIdOf(listId: string): Promise<string> {
      return (await changes.findOne({ _id: listId }))?.changeId ?? initialChangeId;
    },

    /** The entries that are not VALID, or were once changed: what a snapshot is built from. */
    async changedEntries(listId: string): Promise<{ index: number; status: StatusValue }[]> {
      const found = await statuses.find({ listId }, { projection: { _id: 0, index: 1, status: 1 } }).toArray();
      return found.map(({ index, status }) => ({ index, status }));
    },

    async findSnapshot(listId: string): Promise<StatusListSnapshot | null> {
      const snapshot = await snapshots.findOne({ _id: listId });
      if (!snapshot) return null;
      const cwt = snapshot.cwt as unknown;
      return { ...snapshot, cwt: cwt instanceof Binary ? new Uint8Array(cwt.buffer) : (cwt as Uint8Array) };
    },

    /** Replaces the list's snapshot; concurrent builders may overwrite each other, each with a consistent one. */
    async saveSnapshot(snapshot: StatusListSnapshot): Promise<void> {
      await snapshots.replaceOne({ _id: snapshot._id }, { ...snapshot, cwt: new Binary(snapshot.cwt) } as unknown as StatusListSnapshot, {
        upsert: true,
      });
    },
  };
}

export type StatusListStore = ReturnType<typeof createStatusListStore>;
