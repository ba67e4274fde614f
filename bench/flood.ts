import { randomUUID } from 'node:crypto';
import tls from 'node:tls';
import { currentApiVersion } from '../domain/api-version';
import { devApproveType } from '../domain/verification-types/development';
import { createInitiateRequest, generateWalletSigningKey } from '../wallet/wallet-client-instance';

export interface FloodCounts {
  sent: number;
  /** Answered 429 (profile §Quotas): refused before the body was read. */
  refused: number;
  /** Answered otherwise: within the flooding tenant's rate, so executed. */
  executed: number;
  retryAfter: string[];
  seconds: number;
  /** CPU seconds of the flooding process (filled in by the bench). */
  cpuSeconds?: number;
}

/** What the bench hands the flood process (JSON in BENCH_FLOOD_CONFIG). */
export interface FloodProcessConfig {
  /** https://host:port of the Issuer API. */
  url: string;
  caPem: string;
  certificatePem: string;
  privateKeyPem: string;
  requestsPerSecond: number;
  /** Requests sent and not yet answered, at most, per connection. */
  maxInFlight: number;
  connections: number;
}

/**
 * A Wallet Server that sends far more than its rate limit and ignores Retry-After: the
 * misbehaving tenant the quota is there for. Run as its own process by the bench (so its client
 * work does not share an event loop with the measured Wallet Server's requests), it writes valid
 * initiate requests pipelined on a few keep-alive TLS connections (HTTP/1.1), paced open loop
 * every 10 ms, and counts the status lines of the answers: the cheapest client, so that what
 * the bench sees is what answering the flood costs the issuer. Floods until stdin closes, then
 * prints its FloodCounts as one JSON line.
 */
async function floodProcess(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_FLOOD_CONFIG ?? '{}') as FloodProcessConfig;
  const url = new URL(config.url);
  const key = await generateWalletSigningKey();
  // Valid initiates: the few within the flooder's rate are executed (and approved) like any other.
  const bodies = await Promise.all(
    Array.from({ length: 64 }, async () =>
      JSON.stringify(
        await createInitiateRequest({
          key,
          credentialConfigurationIds: ['org.iso.18013.5.1.mDL'],
          verificationData: { serverVerificationDataItem: [{ id: 'flood', type: devApproveType }] },
        }),
      ),
    ),
  );
  const counts: FloodCounts = { sent: 0, refused: 0, executed: 0, retryAfter: [], seconds: 0 };
  const retryAfter = new Set<string>();
  let next = 0;
  const request = () => {
    const body = bodies[next++ % bodies.length] as string;
    return (
      `POST /verification/initiate HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nApi-Version: ${currentApiVersion}\r\nx-request-id: ${randomUUID()}\r\n\r\n${body}`
    );
  };
  const sockets = await Promise.all(
    Array.from(
      { length: config.connections },
      () =>
        new Promise<{ socket: tls.TLSSocket; pending: number }>((resolve, reject) => {
          const socket = tls.connect(
            { host: url.hostname, port: Number(url.port), ca: config.caPem, cert: config.certificatePem, key: config.privateKeyPem },
            () => resolve(connection),
          );
          const connection = { socket, pending: 0 };
          let tail = '';
          socket.setEncoding('utf8');
          socket.on('data', (chunk: string) => {
            const text = tail + chunk;
            for (const match of text.matchAll(/HTTP\/1\.1 (\d{3})[^\r]*\r\n/g)) {
              connection.pending -= 1;
              if (match[1] === '429') counts.refused += 1;
              else counts.executed += 1;
            }
            for (const match of text.matchAll(/retry-after: (\d+)\r\n/gi)) if (match[1]) retryAfter.add(match[1]);
            tail = text.slice(-40).includes('\r\n') ? text.slice(text.lastIndexOf('\r\n')) : text.slice(-40);
          });
          socket.on('error', reject);
        }),
    ),
  );
  const started = performance.now();
  let owed = 0;
  const tick = setInterval(() => {
    owed = Math.min(owed + config.requestsPerSecond / 100, config.requestsPerSecond / 50);
    for (const connection of sockets) {
      let batch = '';
      while (owed >= 1 && connection.pending < config.maxInFlight) {
        owed -= 1;
        connection.pending += 1;
        counts.sent += 1;
        batch += request();
      }
      if (batch) connection.socket.write(batch);
    }
  }, 10);
  process.stdout.write('started\n');
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.on('end', resolve));
  clearInterval(tick);
  counts.seconds = (performance.now() - started) / 1000;
  // Answers still on their way are not waited for: the flood is over.
  for (const { socket } of sockets) socket.destroy();
  process.stdout.write(`${JSON.stringify({ ...counts, retryAfter: [...retryAfter] })}\n`);
}

if (require.main === module) {
  floodProcess().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
