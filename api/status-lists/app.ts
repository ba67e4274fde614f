import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import { problems } from '../../domain/problems';
import { statusListsPath } from '../../domain/status-lists/status-list';
import { statusListCwtMediaType, statusListJwtMediaType } from '../../crypto/status-list-token';
import { renderProblems } from '../middleware/problem-details';
import type { StatusListPublisher } from './status-list-publisher';

export interface StatusListAppDeps {
  logger: Logger;
  publisher: StatusListPublisher;
  /** Draft §5.1 `ttl`: also how long HTTP caches may keep a list. */
  ttlSeconds: number;
}

const offered = [statusListJwtMediaType, statusListCwtMediaType];

/**
 * Draft §8.1: a Relying Party asks for the form it reads with `Accept`; without one (or with
 * a wildcard) it gets the JWT, the form the JSON-based credentials reference.
 */
function negotiate(ctx: Koa.Context): string | undefined {
  if (!ctx.get('Accept')) return statusListJwtMediaType;
  const accepted = ctx.accepts(offered);
  return typeof accepted === 'string' ? accepted : undefined;
}

/**
 * The Status List Tokens' own listener (profile §Status lists): HTTPS without client
 * certificates, since any Relying Party that received a credential fetches its list (draft §8.1),
 * and nothing else on it. `GET /status-lists/{listId}`.
 */
export function createStatusListApp(deps: StatusListAppDeps): Koa {
  const app = new Koa();
  const router = new Router();
  router.get(`${statusListsPath}/:listId`, async (ctx) => {
    const mediaType = negotiate(ctx);
    if (!mediaType) throw problems.notAcceptable(offered);
    const published = await deps.publisher.current(ctx.params.listId ?? '');
    if (!published) throw problems.statusListNotFound();
    const jwt = mediaType === statusListJwtMediaType;
    const etag = jwt ? published.etag.jwt : published.etag.cwt;
    // Draft §Caching: RPs may keep a token for its ttl, never past its exp.
    const untilExpiry = Math.max(0, Math.floor((published.expiresAt.getTime() - Date.now()) / 1000));
    ctx.set('Cache-Control', `public, max-age=${Math.min(deps.ttlSeconds, untilExpiry)}`);
    ctx.set('Vary', 'Accept');
    ctx.set('ETag', etag);
    ctx.type = mediaType;
    // ctx.fresh compares If-None-Match with the ETag, and only for a successful status.
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = jwt ? published.jwt : Buffer.from(published.cwt);
  });
  app.use(renderProblems(deps.logger, 'status-lists') as unknown as Koa.Middleware);
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true, methodNotAllowed: () => problems.methodNotAllowed(['GET', 'HEAD']) }));
  return app;
}
