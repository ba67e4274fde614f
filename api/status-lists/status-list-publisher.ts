import { createHash } from 'node:crypto';
import type { CredentialSigner } from '../../domain/credential-formats/format';
import { statusListFromEntries } from '../../domain/status-lists/status-list';
import { signStatusListCwt, signStatusListJwt } from '../../crypto/status-list-token';
import type { StatusListSnapshot, StatusListStore } from '../../store/status-lists';

export interface StatusListPublisherOptions {
  store: StatusListStore;
  signer: CredentialSigner;
  /** The list's URI: `sub` of its tokens and `status_list.uri` in credentials (profile §Status lists). */
  listUri: (listId: string) => string;
  /** Draft §5.1 `ttl`, also the HTTP max-age. */
  ttlSeconds: number;
  /** How long a token is valid (`exp` − `iat`); it is signed again after half of it. */
  validitySeconds: number;
  clock?: () => Date;
}

/** A list as served: both token forms and what the HTTP caching headers say. */
export interface PublishedStatusList {
  jwt: string;
  cwt: Uint8Array;
  expiresAt: Date;
  /** Strong validator of the representation: the tokens change whenever anything in them does. */
  etag: { jwt: string; cwt: string };
}

const etagOf = (bytes: string | Uint8Array) => `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;

/**
 * Serves each list's last signed tokens, and signs new ones when the stored entries changed
 * since (the change id differs) or the tokens are past half their validity. Reads two documents
 * by _id per request when nothing changed; concurrent requests for a stale list in one process
 * share one rebuild, and builders in several processes each store a consistent snapshot (the
 * change id is read before the entries, so a snapshot never claims a change it does not hold).
 */
export function createStatusListPublisher(options: StatusListPublisherOptions) {
  const clock = options.clock ?? (() => new Date());
  const refreshMs = (options.validitySeconds * 1000) / 2;
  const rebuilding = new Map<string, Promise<StatusListSnapshot>>();
  // The last snapshot this process built per list: a request whose read of the store raced a
  // rebuild here uses it instead of signing again.
  const lastBuilt = new Map<string, StatusListSnapshot>();

  async function rebuild(listId: string, changeId: string): Promise<StatusListSnapshot> {
    const list = await options.store.findList(listId);
    if (!list) throw new Error(`status list ${listId} disappeared`);
    const bytes = statusListFromEntries(list.size, list.bits, await options.store.changedEntries(listId));
    const issuedAt = clock();
    const expiresAt = new Date(issuedAt.getTime() + options.validitySeconds * 1000);
    const token = { uri: options.listUri(listId), bits: list.bits, bytes, issuedAt, expiresAt, ttlSeconds: options.ttlSeconds, signer: options.signer };
    const snapshot: StatusListSnapshot = {
      _id: listId,
      builtFor: changeId,
      builtAt: issuedAt,
      expiresAt,
      jwt: await signStatusListJwt(token),
      cwt: await signStatusListCwt(token),
    };
    await options.store.saveSnapshot(snapshot);
    lastBuilt.set(listId, snapshot);
    return snapshot;
  }

  function rebuildOnce(listId: string, changeId: string): Promise<StatusListSnapshot> {
    const key = `${listId}/${changeId}`;
    const running = rebuilding.get(key);
    if (running) return running;
    const started = rebuild(listId, changeId).finally(() => rebuilding.delete(key));
    rebuilding.set(key, started);
    return started;
  }

  return {
    /** The list's current tokens; undefined for a list that was never opened. */
    async current(listId: string): Promise<PublishedStatusList | undefined> {
      const [list, changeId, stored] = await Promise.all([
        options.store.findList(listId),
        options.store.changeIdOf(listId),
        options.store.findSnapshot(listId),
      ]);
      if (!list) return undefined;
      const local = lastBuilt.get(listId);
      const newest = stored && local ? (stored.builtAt >= local.builtAt ? stored : local) : (stored ?? local);
      const fresh = newest && newest.builtFor === changeId && clock().getTime() - newest.builtAt.getTime() < refreshMs;
      const snapshot = fresh ? newest : await rebuildOnce(listId, changeId);
      return { jwt: snapshot.jwt, cwt: snapshot.cwt, expiresAt: snapshot.expiresAt, etag: { jwt: etagOf(snapshot.jwt), cwt: etagOf(snapshot.cwt) } };
    },
  };
}

export type StatusListPublisher = ReturnType<typeof createStatusListPublisher>;
