import type { Db } from 'mongodb';
import { collections } from './mongo';

interface SweepCursor {
  /** The sweep's name. */
  _id: string;
  /** The key the sweep's next page starts after; absent: from the start. */
  after?: string;
  updatedAt: Date;
}

/**
 * Where a sweep that pages through a collection over many passes (one page a pass) goes on.
 * One document per sweep; a pass that dies before it moves the cursor takes the same page again,
 * which every sweep here may (its effects are idempotent).
 */
export function createSweepCursors(db: Db) {
  const cursors = db.collection<SweepCursor>(collections.sweepCursors);
  return {
    async get(name: string): Promise<string | undefined> {
      return (await cursors.findOne({ _id: name }))?.after;
    },
    /** Moves the sweep on; `undefined` starts it over from the beginning. */
    async set(name: string, after: string | undefined): Promise<void> {
      await cursors.updateOne(
        { _id: name },
        after === undefined ? { $unset: { after: '' }, $set: { updatedAt: new Date() } } : { $set: { after, updatedAt: new Date() } },
        { upsert: true },
      );
    },
  };
}
export type SweepCursors = ReturnType<typeof createSweepCursors>;
