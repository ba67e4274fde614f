import { randomUUID } from 'node:crypto';
import https from 'node:https';
import { devApproveType } from '../domain/verification-types/development';
import { postToIssuer } from '../wallet/issuer-request';
import { createInitiateRequest, generateWalletSigningKey } from '../wallet/wallet-client-instance';

export interface FloodCounts {
  sent: number;
  /** Answered 429 (profile §Quotas): refused before the body was read. */
  refused: number;
  /** Answered otherwise: within the flooding tenant's rate, so executed. */
  executed: number;
  failed: number;
  retryAfter: Set<string>;
  seconds: number;
}

/**
 * A Wallet Server that sends far more than its rate limit: `requestsPerSecond` POSTs, paced open
 * loop (every 10 ms a share of them), at most `maxInFlight` at once, over keep-alive connections.
 * It does not honour Retry-After: it is the misbehaving tenant the quota is there for.
 */
export function startFlood(options: { url: string; agent: https.Agent; requestsPerSecond: number; maxInFlight: number; body: () => unknown }): {
  stop(): Promise<FloodCounts>;
} {
  const counts: FloodCounts = { sent: 0, refused: 0, executed: 0, failed: 0, retryAfter: new Set(), seconds: 0 };
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let owed = 0;
  const tick = setInterval(() => {
    owed += options.requestsPerSecond / 100;
    while (owed >= 1 && inFlight.size < options.maxInFlight) {
      owed -= 1;
      counts.sent += 1;
      const request = postToIssuer(options.url, options.body(), { agent: options.agent, requestId: randomUUID(), timeoutMs: 30_000 })
        .then((answer) => {
          if (answer.status === 429) {
            counts.refused += 1;
            counts.retryAfter.add(String(answer.headers['retry-after']));
          } else counts.executed += 1;
        })
        .catch(() => {
          counts.failed += 1;
        })
        .finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    // A backlog the in-flight bound held back is not sent later in a burst.
    owed = Math.min(owed, options.requestsPerSecond / 100);
  }, 10);
  return {
    async stop() {
      clearInterval(tick);
      await Promise.all(inFlight);
      counts.seconds = (performance.now() - started) / 1000;
      return counts;
    },
  };
}

/** What the bench hands the flood process (JSON in BENCH_FLOOD_CONFIG). */
export interface FloodProcessConfig {
  url: string;
  caPem: string;
  certificatePem: string;
  privateKeyPem: string;
  requestsPerSecond: number;
  maxInFlight: number;
}

/**
 * Run as its own process by the bench, so that the flood's client work does not share an event
 * loop with the measured Wallet Server's requests (that would measure the client, not the API).
 * Floods until stdin closes, then prints its FloodCounts as one JSON line.
 */
async function floodProcess(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_FLOOD_CONFIG ?? '{}') as FloodProcessConfig;
  const key = await generateWalletSigningKey();
  // Valid initiates: the few within the flooder's rate are executed (and approved) like any other.
  const bodies = await Promise.all(
    Array.from({ length: 64 }, () =>
      createInitiateRequest({
        key,
        credentialConfigurationIds: ['org.iso.18013.5.1.mDL'],
        verificationData: { serverVerificationDataItem: [{ id: 'flood', type: devApproveType }] },
      }),
    ),
  );
  let next = 0;
  const agent = new https.Agent({ keepAlive: true, maxSockets: config.maxInFlight, ca: config.caPem, cert: config.certificatePem, key: config.privateKeyPem });
  const flood = startFlood({
    url: config.url,
    agent,
    requestsPerSecond: config.requestsPerSecond,
    maxInFlight: config.maxInFlight,
    body: () => bodies[next++ % bodies.length],
  });
  process.stdout.write('started\n');
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.on('end', resolve));
  const counts = await flood.stop();
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ ...counts, retryAfter: [...counts.retryAfter] })}\n`);
}

if (require.main === module) {
  floodProcess().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
