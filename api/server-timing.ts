import type { ApiContext, ApiMiddleware } from './context';

/**
 * Where a request's time goes, by phase, as a `Server-Timing` response header (W3C Server
 * Timing): `npm run bench` prints the breakdown per endpoint from it. Sent only when enabled
 * (S2S_SERVER_TIMING): it tells clients how long internal steps take.
 */
export class RequestTimings {
  private readonly phases = new Map<string, number>();

  add(phase: string, ms: number): void {
    this.phases.set(phase, (this.phases.get(phase) ?? 0) + ms);
  }

  toHeader(totalMs: number): string {
    const measured = [...this.phases.values()].reduce((sum, ms) => sum + ms, 0);
    const entries = [...this.phases, ['other', Math.max(0, totalMs - measured)] as const, ['total', totalMs] as const];
    return entries.map(([phase, ms]) => `${phase};dur=${ms.toFixed(2)}`).join(', ');
  }
}

const clock = () => performance.now();

/** Outermost: starts the request's timings and, when enabled, reports them. */
export function serverTiming(enabled: boolean): ApiMiddleware {
  return async (ctx, next) => {
    const started = clock();
    ctx.state.timings = new RequestTimings();
    try {
      await next();
    } finally {
      if (enabled) ctx.set('Server-Timing', ctx.state.timings.toHeader(clock() - started));
    }
  };
}

/** Runs `work` as the named phase of the request. */
export async function timed<T>(ctx: ApiContext, phase: string, work: () => Promise<T>): Promise<T> {
  const started = clock();
  try {
    return await work();
  } finally {
    ctx.state.timings?.add(phase, clock() - started);
  }
}

/** A middleware whose own time (not the time of the middlewares after it) is the named phase. */
export function timedStep(phase: string, step: ApiMiddleware): ApiMiddleware {
  return async (ctx, next) => {
    const started = clock();
    let inner = 0;
    try {
      await step(ctx, async () => {
        const innerStarted = clock();
        try {
          await next();
        } finally {
          inner += clock() - innerStarted;
        }
      });
    } finally {
      ctx.state.timings?.add(phase, clock() - started - inner);
    }
  };
}
