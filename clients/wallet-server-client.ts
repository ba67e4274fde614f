import { createHash, randomInt } from 'node:crypto';
import https from 'node:https';
import { currentApiVersion } from '../domain/api-version';

/**
 * Outbound calls to Wallet Server Endpoints over mutual TLS with the issuer's own client
 * certificate (S2S §Server Authentication). One keep-alive agent for all Wallet Servers.
 */
export interface WalletServerClientOptions {
  certificatePem: string;
  privateKeyPem: string;
  /** CAs that Wallet Server certificates chain to; the system store when absent. */
  caPem?: string;
  requestTimeoutMs?: number;
  /** Injected for tests: how to wait between retries. */
  sleep?: (ms: number) => Promise<void>;
}

export class WalletServerCallError extends Error {
  constructor(
    message: string,
    /** False for answers a retry cannot change (4xx other than 408/429). */
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'WalletServerCallError';
  }
}

/** S2S §Rate Limiting: "Exponential backoff is RECOMMENDED: 0–1s, 1.1–5s, 5.1–30s (max 3 retries)". */
export const retryWindowsMs: readonly (readonly [number, number])[] = [
  [0, 1000],
  [1100, 5000],
  [5100, 30000],
];
const maxRetryAfterMs = 30_000;

/** Retry-After as delta-seconds or HTTP-date (RFC 9110 §10.2.3), capped; undefined if absent/invalid. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : Date.parse(header) - now;
  return Number.isFinite(seconds) ? Math.min(Math.max(0, seconds), maxRetryAfterMs) : undefined;
}

/** A stable x-request-id for one logical notification, so the Wallet Server can deduplicate retries. */
export function deterministicRequestId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // RFC 9562 UUIDv8 (custom): version nibble 8, variant 10.
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

export function createWalletServerClient(options: WalletServerClientOptions) {
  const agent = new https.Agent({
    keepAlive: true,
    cert: options.certificatePem,
    key: options.privateKeyPem,
    ...(options.caPem ? { ca: options.caPem } : {}),
    minVersion: 'TLSv1.2',
  });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const timeout = options.requestTimeoutMs ?? 10_000;

  function postOnce(url: string, body: unknown, requestId: string): Promise<{ status: number; retryAfter?: string; text: string }> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method: 'POST',
          agent,
          timeout,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(payload),
            'Api-Version': currentApiVersion,
            'x-request-id': requestId,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            resolve({ status: res.statusCode ?? 0, ...(typeof retryAfter === 'string' ? { retryAfter } : {}), text: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  return {
    /**
     * POSTs JSON, retrying transient failures on the draft's schedule (Retry-After wins on 429).
     * Throws WalletServerCallError once retries are spent or the answer is final.
     */
    async post(url: string, body: unknown, requestId: string): Promise<{ status: number; text: string }> {
      for (let retry = 0; ; retry += 1) {
        let failure: WalletServerCallError;
        let wait: number | undefined;
        try {
          const response = await postOnce(url, body, requestId);
          if (response.status >= 200 && response.status < 300) return response;
          const transient = response.status === 429 || response.status === 408 || response.status >= 500;
          failure = new WalletServerCallError(`${url} answered ${response.status}`, transient, response.status);
          if (response.status === 429) wait = retryAfterMs(response.retryAfter);
        } catch (error) {
          failure = new WalletServerCallError(`${url}: ${(error as Error).message}`, true);
        }
        const window = retryWindowsMs[retry];
        if (!failure.retryable || !window) throw failure;
        await sleep(wait ?? randomInt(window[0], window[1] + 1));
      }
    },
    close(): void {
      agent.destroy();
    },
  };
}
export type WalletServerClient = ReturnType<typeof createWalletServerClient>;
