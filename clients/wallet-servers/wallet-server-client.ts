import https from 'node:https';
import { derivedUuid } from '../../crypto/derived-uuid';
import { currentApiVersion } from '../../domain/api-version';
import { defaultMaxResponseBytes } from '../../domain/outbound-retry';
import { issuerMetrics } from '../../observability/metrics';
import { tracedCall } from '../../observability/tracing';

/**
 * Outbound calls to Wallet Server Endpoints over mutual TLS with the issuer's own client
 * certificate (S2S §Server Authentication). One keep-alive agent for all Wallet Servers.
 *
 * The client makes exactly one attempt per call and says what came of it; it never waits to try
 * again. Waiting between attempts is Temporal's job (the activity fails with a nextRetryDelay),
 * so a Wallet Server that is down costs a worker slot only for the bounded request time.
 */
export interface WalletServerClientOptions {
  certificatePem: string;
  privateKeyPem: string;
  /** CAs that Wallet Server certificates chain to; the system store when absent. */
  caPem?: string;
  /** Bound on one attempt, from connecting to the last byte of the answer. */
  requestTimeoutMs?: number;
  /** Bound on the answer's body; a longer one ends the attempt as refused. */
  maxResponseBytes?: number;
}

export const defaultRequestTimeoutMs = 10_000;

/** What one attempt came to. */
export type WalletServerAnswer =
  /** Any 2xx. */
  /** `body`: the answer's JSON, when it was JSON (undefined otherwise). */
  | { outcome: 'delivered'; status: number; body?: unknown }
  /** 408, 429, 5xx, no answer or no connection: another attempt may succeed. */
  | { outcome: 'retryable'; reason: string; status?: number; retryAfterMs?: number }
  /** Any other status, or an answer body over the limit: the same request will be refused again. */
  | { outcome: 'refused'; reason: string; status: number };

/**
 * Retry-After as delta-seconds or an HTTP-date (RFC 9110 §10.2.3), in milliseconds from `now`,
 * as given (the caller applies its ceiling); a date in the past is 0; undefined if absent or
 * unreadable.
 */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

/** Classifies a Wallet Server's HTTP answer (S2S §Rate Limiting; RFC 9110 §15). */
export function classifyResponse(status: number, retryAfter: string | undefined, now = Date.now()): WalletServerAnswer {
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  if (status === 408 || status === 429 || status >= 500) {
    // S2S §Rate Limiting: a 429's Retry-After MUST be honoured; a 503's or 408's is honoured too
    // (RFC 9110 §10.2.3: how long the service is expected to be unavailable).
    const wait = retryAfterMs(retryAfter, now);
    return { outcome: 'retryable', reason: `answered ${status}`, status, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  }
  return { outcome: 'refused', reason: `answered ${status}`, status };
}

function parseJson(bytes: Buffer): unknown {
  try {
    return bytes.length === 0 ? undefined : (JSON.parse(bytes.toString('utf8')) as unknown);
  } catch {
    return undefined;
  }
}

/** A stable x-request-id for one logical notification, so the Wallet Server can deduplicate retries. */
export function deterministicRequestId(...parts: string[]): string {
  return derivedUuid(...parts);
}

/** Why an attempt got no HTTP answer, without the body or anything the Wallet Server sent. */
function networkFailureReason(error: NodeJS.ErrnoException): string {
  return error.code ? `${error.code}: ${error.message}` : error.message;
}

export function createWalletServerClient(options: WalletServerClientOptions) {
  const agent = new https.Agent({
    keepAlive: true,
    cert: options.certificatePem,
    key: options.privateKeyPem,
    ...(options.caPem ? { ca: options.caPem } : {}),
    minVersion: 'TLSv1.2',
  });
  const timeoutMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
  const maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes;

  /** POSTs JSON once and classifies the answer; never throws for what the network or the Wallet Server did. */
  function attempt(url: string, body: unknown, requestId: string): Promise<WalletServerAnswer> {
    const payload = JSON.stringify(body);
    return new Promise((resolve) => {
      let settled = false;
      const settle = (answer: WalletServerAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(answer);
      };
      const req = https.request(url, {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(payload),
          'Api-Version': currentApiVersion,
          'x-request-id': requestId,
        },
      });
      // One deadline for the whole exchange (a socket idle timeout would let a server that
      // trickles bytes hold the slot forever).
      const deadline = setTimeout(() => {
        settle({ outcome: 'retryable', reason: `no answer within ${timeoutMs} ms` });
        req.destroy();
      }, timeoutMs);
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        // A body over the limit ends the attempt at once, whatever its status: an answer that
        // is not the small one the draft defines cannot be taken as delivered, and a Wallet
        // Server that sends it will send it again, so it is not retried either (profile §14).
        const overLimit = () => {
          settle({ outcome: 'refused', status, reason: `answered ${status} with a body over ${maxResponseBytes} bytes` });
          req.destroy();
        };
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxResponseBytes) {
          overLimit();
          return;
        }
        // Kept up to the limit: most answers only echo ids, but /credential/status answers
        // carry the Wallet Server's view (profile §29, Reconciliation).
        let received = 0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > maxResponseBytes) overLimit();
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          const answer = classifyResponse(status, typeof retryAfter === 'string' ? retryAfter : undefined);
          settle(answer.outcome === 'delivered' ? { ...answer, body: parseJson(Buffer.concat(chunks)) } : answer);
        });
        res.on('error', (error) => settle({ outcome: 'retryable', reason: networkFailureReason(error) }));
      });
      req.on('error', (error) => settle({ outcome: 'retryable', reason: networkFailureReason(error) }));
      req.end(payload);
    });
  }

  return {
    /**
     * One attempt (attempt above). `counted` names it: it is counted in s2s_outbound_calls_total
     * and traced as a CLIENT span (the path called, the tenant, the outcome).
     */
    post(url: string, body: unknown, requestId: string, counted?: { call: string; tenant: string }): Promise<WalletServerAnswer> {
      if (!counted) return attempt(url, body, requestId);
      return tracedCall(`POST ${counted.call}`, { 'url.path': counted.call, 's2s.tenant_id': counted.tenant }, async (span) => {
        const answer = await attempt(url, body, requestId);
        issuerMetrics.outboundCalls.inc({ ...counted, outcome: answer.outcome });
        span.setAttribute('s2s.outcome', answer.outcome);
        if ('status' in answer && answer.status !== undefined) span.setAttribute('http.response.status_code', answer.status);
        return answer;
      });
    },
    close(): void {
      agent.destroy();
    },
  };
}
export type WalletServerClient = ReturnType<typeof createWalletServerClient>;
