import http from 'node:http';
import Koa from 'koa';
import type { Logger } from 'pino';
import { renderProblems } from '../api/middleware/problem-details';
import { close, listen } from '../api/server';
import { healthEndpoints, type ReadinessProbes } from './health';
import { metricsRegistry } from './metrics';

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A process's operations listener: GET /metrics (Prometheus text), /healthz and /readyz. Plain
 * HTTP on loopback by default (S2S_METRICS_HOST): the numbers hold no personal data, but who may
 * read them is the deployment's choice (a sidecar, a scrape inside the pod), not the Internet's.
 */
export async function startOpsServer(options: { host: string; port: number; probes: ReadinessProbes; logger: Logger }): Promise<OpsServer> {
  const app = new Koa();
  app.use(renderProblems(options.logger, 'ops') as unknown as Koa.Middleware);
  app.use(healthEndpoints(options.probes));
  app.use(async (ctx, next) => {
    if (ctx.method !== 'GET' || ctx.path !== '/metrics') return next();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metricsRegistry.contentType;
    ctx.body = await metricsRegistry.metrics();
  });
  const server = http.createServer(app.callback());
  const port = await listen(server, options.host, options.port);
  return { port, close: () => close(server) };
}
