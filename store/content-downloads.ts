import { createHash, randomBytes } from 'node:crypto';
import { Binary, type Db } from 'mongodb';
import { contentIdPattern, maxContentBytes } from '../domain/content-reference';
import { collections, deleteExpiredDocuments } from './mongo';

/**
 * Contents delivered by reference (profile §25 Content Reference), stored until they expire.
 *
 * - The download id is 256 random bits; only its SHA-256 is stored, so the database holds no
 *   working download id.
 * - A content is kept in chunks below MongoDB's document limit and read one chunk at a time, so
 *   a download streams with bounded memory. The chunks are written first and the record last: a
 *   record that is found has all its chunks.
 * - A record is another tenant's, expired or absent alike: `open` answers null for each, checking
 *   `expiresAt` itself, since expired records stay until the TTL monitor (MongoDB) or the retention
 *   sweep (FerretDB has no TTL indexes) removes them.
 */
interface ContentRecord {
  _id: string;
  tenantId: string;
  size: number;
  /** base64url SHA-256 of the content, as served. */
  digest: string;
  chunkCount: number;
  createdAt: Date;
  expiresAt: Date;
}

interface ContentChunk {
  _id: string;
  n: number;
  data: Binary;
  expiresAt: Date;
}

/** What is stored for one delivery. */
export interface StoredContent {
  id: string;
  size: number;
  digest: string;
  expiresAt: Date;
}

/** A content found for its tenant, not expired: its chunks are read as they are consumed. */
export interface OpenedContent {
  size: number;
  digest: string;
  expiresAt: Date;
  chunks(): AsyncGenerator<Buffer>;
}

/** Below MongoDB's 16 MiB document limit with room for the other members. */
export const contentChunkBytes = 255 * 1024;

const recordKey = (id: string) => createHash('sha256').update(id).digest('base64url');
const chunkKey = (key: string, n: number) => `${key}/${n}`;

export function createContentDownloadStore(db: Db, options: { now?: () => Date; chunkBytes?: number } = {}) {
  const now = options.now ?? (() => new Date());
  const chunkBytes = options.chunkBytes ?? contentChunkBytes;
  const records = db.collection<ContentRecord>(collections.contentDownloads);
  const chunks = db.collection<ContentChunk>(collections.contentDownloadChunks);

  return {
    /** Stores `content` for `tenantId` until `expiresAt`, under a new random id. */
    async save(tenantId: string, content: Buffer, expiresAt: Date): Promise<StoredContent> {
      if (content.length > maxContentBytes) throw new Error(`content of ${content.length} bytes is over the ${maxContentBytes} bytes a download may serve`);
      const id = randomBytes(32).toString('base64url');
      const key = recordKey(id);
      const chunkCount = Math.max(1, Math.ceil(content.length / chunkBytes));
      const parts: ContentChunk[] = [];
      for (let n = 0; n < chunkCount; n++) {
        parts.push({ _id: chunkKey(key, n), n, data: new Binary(content.subarray(n * chunkBytes, (n + 1) * chunkBytes)), expiresAt });
      }
      // One chunk per insert: a batch of several near the document limit could exceed the message limit.
      for (const part of parts) await chunks.insertOne(part);
      const digest = createHash('sha256').update(content).digest('base64url');
      await records.insertOne({ _id: key, tenantId, size: content.length, digest, chunkCount, createdAt: now(), expiresAt });
      return { id, size: content.length, digest, expiresAt };
    },

    /** The tenant's content with this id, unless it expired; null otherwise (the same null for every reason). */
    async open(tenantId: string, id: string): Promise<OpenedContent | null> {
      if (!contentIdPattern.test(id)) return null;
      const key = recordKey(id);
      const record = await records.findOne({ _id: key });
      if (!record || record.tenantId !== tenantId || record.expiresAt.getTime() <= now().getTime()) return null;
      return {
        size: record.size,
        digest: record.digest,
        expiresAt: record.expiresAt,
        async *chunks() {
          for (let n = 0; n < record.chunkCount; n++) {
            const chunk = await chunks.findOne({ _id: chunkKey(key, n) });
            // Swept while being served: the download breaks off rather than serve a truncated body as whole.
            if (!chunk) throw new Error('a content chunk disappeared during its download');
            yield Buffer.from(chunk.data.buffer);
          }
        },
      };
    },

    /** Removes a content before it expires (the record first: from then on it is not found). */
    async remove(tenantId: string, id: string): Promise<void> {
      if (!contentIdPattern.test(id)) return;
      const key = recordKey(id);
      const record = await records.findOneAndDelete({ _id: key, tenantId });
      if (record) await chunks.deleteMany({ _id: { $in: Array.from({ length: record.chunkCount }, (_, n) => chunkKey(key, n)) } });
    },

    /**
     * Deletes up to `limit` expired records and up to `limit` expired chunks, oldest first, where
     * no TTL index does it (FerretDB); idempotent, so a repeated sweep deletes nothing twice.
     */
    async sweepExpired(at: Date, limit: number): Promise<number> {
      const removed = await deleteExpiredDocuments(records, at, limit);
      await deleteExpiredDocuments(chunks, at, limit);
      return removed;
    },
  };
}
export type ContentDownloadStore = ReturnType<typeof createContentDownloadStore>;
