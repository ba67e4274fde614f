import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { currentApiVersion } from '../domain/api-version';

export interface IssuerAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The JSON body; `{}` when the body is not JSON (a dying process may answer with anything). */
  json: Record<string, unknown>;
}

/**
 * One POST to an Issuer Endpoint as a Wallet Server sends it: JSON, `Api-Version`, the given
 * `x-request-id` (a retry reuses it, S2S §Idempotency), mTLS through the agent's client
 * certificate. Used by the bench and the chaos run.
 */
export function postToIssuer(url: string, body: unknown, options: { agent: https.Agent; requestId: string; timeoutMs?: number }): Promise<IssuerAnswer> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'POST',
        agent: options.agent,
        ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(payload),
          'Api-Version': currentApiVersion,
          'x-request-id': options.requestId,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            // not JSON: left empty
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * A GET of an Issuer document (the issuer metadata, `/.well-known/openid-credential-issuer-s2s`)
 * over the same mTLS agent. Rejects anything but a JSON 200.
 */
export function getFromIssuer(url: string, options: { agent: https.Agent }): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'GET', agent: options.agent, headers: { Accept: 'application/json', 'Api-Version': currentApiVersion } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new Error(`GET ${url} answered ${res.statusCode}: ${text.slice(0, 200)}`));
          try {
            resolve(JSON.parse(text) as Record<string, unknown>);
          } catch {
            reject(new Error(`GET ${url} did not answer JSON`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
