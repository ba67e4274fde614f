import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { currentApiVersion } from '../domain/api-version';

export interface IssuerAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The JSON body; `{}` when the body is not JSON (a dying process may answer with anything). */
  json: Record<string, unknown>;
}

/** One HTTPS exchange through `agent`, the whole body read as text. */
export function sendRequest(
  url: string,
  options: { method: 'GET' | 'POST'; agent: https.Agent; headers: Record<string, string | number>; body?: string; timeoutMs?: number },
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: options.method, agent: options.agent, headers: options.headers, ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * One POST to an Issuer Endpoint as a Wallet Server sends it: JSON, `Api-Version`, the given
 * `x-request-id` (a retry reuses it, S2S §Idempotency), mTLS through the agent's client
 * certificate. Used by the bench and the chaos run.
 */
export async function postToIssuer(url: string, body: unknown, options: { agent: https.Agent; requestId: string; timeoutMs?: number }): Promise<IssuerAnswer> {
  const payload = JSON.stringify(body);
  const answer = await sendRequest(url, {
    method: 'POST',
    agent: options.agent,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    headers: {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(payload),
      'Api-Version': currentApiVersion,
      'x-request-id': options.requestId,
    },
    body: payload,
  });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    // not JSON: left empty
  }
  return { status: answer.status, headers: answer.headers, json };
}

/**
 * A GET of an Issuer document (the issuer metadata, `/.well-known/openid-credential-issuer-s2s`)
 * over the same mTLS agent. Rejects anything but a JSON 200.
 */
export async function getFromIssuer(url: string, options: { agent: https.Agent }): Promise<Record<string, unknown>> {
  const answer = await sendRequest(url, { method: 'GET', agent: options.agent, headers: { Accept: 'application/json', 'Api-Version': currentApiVersion } });
  if (answer.status !== 200) throw new Error(`GET ${url} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
  try {
    return JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    throw new Error(`GET ${url} did not answer JSON`);
  }
}
