import type { Db } from 'mongodb';
import { contentDownloadUrl, deliversByReference } from '../../domain/content-reference';
import type { DeliveredCredentials } from '../../domain/schemas/credential';
import { createContentDownloadStore, type OpenedContent } from '../../store/content-downloads';

export interface ContentDeliveryOptions {
  /** The API listener's public base URL (config api.publicUrl): downloads are served there, over mTLS. */
  baseUrl: string;
  /** S2S_CONTENT_REFERENCE_THRESHOLD_BYTES: the largest JWE answered in band. */
  thresholdBytes: number;
  /** S2S_CONTENT_REFERENCE_TTL_S in ms: how long a stored content stays downloadable. */
  ttlMs: number;
  now?: () => Date;
}

/**
 * How the credentials of a get reach the Wallet Server (profile §25 Content Reference): the
 * compact JWE in band, or — above the threshold — stored for its tenant and answered as an
 * S2S §Content Reference that the same Wallet Server downloads with `GET /content/{id}`.
 */
export function createContentDelivery(db: Db, options: ContentDeliveryOptions) {
  const now = options.now ?? (() => new Date());
  const store = createContentDownloadStore(db, { now });
  return {
    async deliver(tenantId: string, jwe: string): Promise<DeliveredCredentials> {
      const content = Buffer.from(jwe, 'utf8');
      if (!deliversByReference(content.length, options.thresholdBytes)) return { jwe, origin: 'ISSUER' };
      const stored = await store.save(tenantId, content, new Date(now().getTime() + options.ttlMs));
      return {
        contentReference: {
          downloadUrl: contentDownloadUrl(options.baseUrl, stored.id),
          // S2S §Content Reference: "SHA-256 digest of the JWE content", of the bytes downloaded.
          contentDigest: stored.digest,
          contentSize: stored.size,
          expiresAt: stored.expiresAt.toISOString(),
        },
        origin: 'ISSUER',
      };
    },

    /** The tenant's stored content with this id; null when unknown, another tenant's or expired. */
    fetch(tenantId: string, id: string): Promise<OpenedContent | null> {
      return store.open(tenantId, id);
    },

    /** Expired contents, for the retention pass where no TTL index removes them (store/content-downloads.ts). */
    sweepExpired(limit: number): Promise<number> {
      return store.sweepExpired(now(), limit);
    },
  };
}
export type ContentDelivery = ReturnType<typeof createContentDelivery>;
