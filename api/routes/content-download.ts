import { Readable } from 'node:stream';
import type { ContentDelivery } from '../content/content-delivery';
import { contentDownloadPath } from '../../domain/content-reference';
import { problems } from '../../domain/problems';
import type { ApiContext, ApiMiddleware } from '../context';
import type { DocumentRoute } from './route';

/** RFC 7516 §9: the media type of a compact JWE. */
export const compactJweMediaType = 'application/jose';

/**
 * `GET /content/{id}` (profile §25 Content Reference, S2S §Content Reference): the JWE of a get
 * answered by reference, for the Wallet Server (tenant, from the mTLS client certificate as on
 * every route) it was delivered to. Unknown, expired and another tenant's ids get the same 404,
 * so an id reveals nothing about other tenants. The body is streamed chunk by chunk from the
 * store; its size and digest are those of the Content Reference.
 */
function serveContent(deps: { contentDelivery: ContentDelivery }): ApiMiddleware {
  return async (ctx) => {
    const id = (ctx as ApiContext & { params: Record<string, string | undefined> }).params.id ?? '';
    const content = await deps.contentDelivery.fetch(ctx.state.tenant._id, id);
    if (!content) throw problems.contentNotFound();
    // Credentials, even encrypted, are not for shared caches; each download is the holder's.
    ctx.set('Cache-Control', 'no-store');
    // RFC 9530: the digest the Content Reference announced, in HTTP form (standard base64).
    ctx.set('Repr-Digest', `sha-256=:${Buffer.from(content.digest, 'base64url').toString('base64')}:`);
    ctx.type = compactJweMediaType;
    ctx.length = content.size;
    ctx.body = Readable.from(content.chunks());
  };
}

export const contentDownloadRoute: DocumentRoute<{ contentDelivery: ContentDelivery }> = {
  method: 'GET',
  path: `${contentDownloadPath}/:id`,
  steps: (deps) => [serveContent(deps)],
  openApi: {
    summary: 'Downloads credentials delivered by reference (S2S §Content Reference)',
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } }],
    ok: {
      description: 'The compact JWE whose SHA-256 and size the contentReference announced',
      mediaType: compactJweMediaType,
      headers: {
        'Cache-Control': { schema: { type: 'string', const: 'no-store' } },
        'Repr-Digest': { description: 'RFC 9530: sha-256 of the body', schema: { type: 'string' } },
      },
    },
    // 404 content-not-found: unknown, expired or another Wallet Server's id alike.
    problemStatuses: [401, 404, 429, 503],
  },
};
