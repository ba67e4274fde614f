import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics (served by observability/ops-server.ts). Labels are closed
 * sets or identifiers of Wallet Servers and configurations: never a session, verification or
 * instance id, a holder or anything from a request body. One registry per process; the API and
 * the worker each record what happens in them.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

/** Seconds; requests run from a millisecond (a replay) to the initiate's first-decision wait. */
const requestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const issuerMetrics = {
  httpRequests: new Counter({
    name: 's2s_http_requests_total',
    help: 'Requests answered, by listener, method, route template, status and Problem Details type ("" when none).',
    labelNames: ['listener', 'method', 'route', 'status', 'problem'] as const,
    registers: [metricsRegistry],
  }),
  httpDuration: new Histogram({
    name: 's2s_http_request_duration_seconds',
    help: 'Time from the request to its answer, by listener, method and route template.',
    labelNames: ['listener', 'method', 'route'] as const,
    buckets: requestBuckets,
    registers: [metricsRegistry],
  }),
  verificationDecisions: new Counter({
    name: 's2s_verification_decisions_total',
    help: 'Verification statuses recorded (S2S §Verification Status), by status (a step retried after a crash may count twice).',
    labelNames: ['status'] as const,
    registers: [metricsRegistry],
  }),
  credentialsIssued: new Counter({
    name: 's2s_credentials_issued_total',
    help: 'Credentials signed, by format and credential configuration.',
    labelNames: ['format', 'configuration'] as const,
    registers: [metricsRegistry],
  }),
  lifecycleTransitions: new Counter({
    name: 's2s_credential_lifecycle_transitions_total',
    help: 'Credential instance lifecycle records applied (profile §29): a move into `status`, or a new credentialVersion in it.',
    labelNames: ['status'] as const,
    registers: [metricsRegistry],
  }),
  outboundCalls: new Counter({
    name: 's2s_outbound_calls_total',
    help: 'Attempts of calls to Wallet Servers, by path called, outcome (delivered, retryable, refused) and tenant (the Wallet Server).',
    labelNames: ['call', 'outcome', 'tenant'] as const,
    registers: [metricsRegistry],
  }),
  reconciliationRepairs: new Counter({
    name: 's2s_reconciliation_repairs_total',
    help: 'Repairs made by reconciliation, by kind.',
    labelNames: ['kind'] as const,
    registers: [metricsRegistry],
  }),
};

/** The review queue as the reviewers see it: open cases and how long the oldest has waited. */
export interface ReviewQueueSummary {
  open: number;
  oldestCreatedAt?: Date;
}

/**
 * Review queue gauges, read from the database when Prometheus scrapes (at most once per
 * `minIntervalMs`: a scrape every few seconds costs one count, not one per scrape).
 */
export function registerReviewQueueGauges(summary: () => Promise<ReviewQueueSummary>, options: { minIntervalMs?: number; now?: () => number } = {}): void {
  const now = options.now ?? Date.now;
  let cached: { at: number; value: Promise<ReviewQueueSummary> } | undefined;
  const read = () => {
    if (!cached || now() - cached.at >= (options.minIntervalMs ?? 10_000)) {
      const value = summary();
      cached = { at: now(), value };
      // A failed read is not kept: the next scrape asks again.
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
  /** The queue now, or undefined when the database does not answer: the scrape goes on without it. */
  const readOrNothing = () =>
    read().catch(() => {
      reviewQueueReadFailures.inc();
      return undefined;
    });
  // The newest registration serves (a test process composes several APIs).
  for (const name of ['s2s_review_queue_depth', 's2s_review_queue_oldest_age_seconds', 's2s_review_queue_read_failures_total'])
    metricsRegistry.removeSingleMetric(name);
  const reviewQueueReadFailures = new Counter({
    name: 's2s_review_queue_read_failures_total',
    help: 'Scrapes whose review queue read failed (the queue gauges then report NaN).',
    registers: [metricsRegistry],
  });
  new Gauge({
    name: 's2s_review_queue_depth',
    help: 'Open review cases (waiting for a reviewer); NaN when the database did not answer.',
    registers: [metricsRegistry],
    async collect() {
      this.set((await readOrNothing())?.open ?? Number.NaN);
    },
  });
  new Gauge({
    name: 's2s_review_queue_oldest_age_seconds',
    help: 'How long the oldest open review case has waited (0 when none is open; NaN when the database did not answer).',
    registers: [metricsRegistry],
    async collect() {
      const summary = await readOrNothing();
      const oldest = summary?.oldestCreatedAt;
      this.set(!summary ? Number.NaN : oldest ? Math.max(0, (now() - oldest.getTime()) / 1000) : 0);
    },
  });
}

/** The Problem Details type's last segment (`urn:s2s-issuer:problem:rate-limited` → `rate-limited`): a closed set. */
export function problemLabel(type: string | undefined): string {
  return type ? (type.split(':').at(-1) ?? '') : '';
}
