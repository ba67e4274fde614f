import type { Connection } from '@temporalio/client';
import type Koa from 'koa';
import type { Db } from 'mongodb';
import { problems } from '../domain/problems';

export type ProbeState = 'up' | 'down';

export interface ReadinessReport {
  ready: boolean;
  /** Each dependency's state; names only, never an address or an error text (they may hold credentials). */
  checks: Record<string, ProbeState>;
}

/** What a process depends on, each checked by one cheap round trip. */
export type ReadinessProbes = Record<string, () => Promise<unknown>>;

/** How long /readyz waits for one dependency before it counts as down. */
export const probeTimeoutMs = 2000;

/** The database answers a ping. */
export const databaseProbe = (db: Db) => () => db.command({ ping: 1 });

/**
 * The Temporal frontend answers (GetSystemInfo: no namespace, no history read), within the probe's
 * deadline: a call to a Temporal that is down ends with it instead of piling up.
 */
export const temporalProbe = (connection: Pick<Connection, 'workflowService' | 'withDeadline'>) => () =>
  connection.withDeadline(Date.now() + probeTimeoutMs, () => connection.workflowService.getSystemInfo({}));

function withTimeout(probe: () => Promise<unknown>, timeoutMs: number): Promise<ProbeState> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<ProbeState>((resolve) => {
    timer = setTimeout(() => resolve('down'), timeoutMs);
  });
  const checked = Promise.resolve()
    .then(probe)
    .then(
      (): ProbeState => 'up',
      (): ProbeState => 'down',
    );
  return Promise.race([checked, timedOut]).finally(() => clearTimeout(timer));
}

/** Runs every probe at once; ready when all are up. */
export async function checkReadiness(probes: ReadinessProbes, timeoutMs = probeTimeoutMs): Promise<ReadinessReport> {
  const states = await Promise.all(Object.entries(probes).map(async ([name, probe]) => [name, await withTimeout(probe, timeoutMs)] as const));
  return { ready: states.every(([, state]) => state === 'up'), checks: Object.fromEntries(states) };
}

/**
 * GET /healthz (the process runs and answers: liveness) and GET /readyz (it can do its work:
 * every dependency answered within probeTimeoutMs), before anything else on a listener, so
 * neither needs a tenant or an admin credential. Not ready is a 503 Problem Details naming the
 * dependencies that are down. Neither is cached.
 */
export function healthEndpoints(probes: ReadinessProbes): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' || (ctx.path !== '/healthz' && ctx.path !== '/readyz')) return next();
    ctx.set('Cache-Control', 'no-store');
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
      return;
    }
    const report = await checkReadiness(probes);
    if (!report.ready) {
      const down = Object.entries(report.checks).flatMap(([name, state]) => (state === 'down' ? [name] : []));
      throw problems.serviceUnavailable(`not ready: ${down.join(', ')} did not answer`);
    }
    ctx.body = { status: 'ready', checks: report.checks };
  };
}
