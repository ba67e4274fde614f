import { randomUUID } from 'node:crypto';
import https from 'node:https';

export interface ClientIdentity {
  certificatePem: string;
  privateKeyPem: string;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface PostOptions {
  identity?: ClientIdentity;
  headers?: Record<string, string | undefined>;
  /** Raw body; otherwise `body` is JSON-encoded. */
  raw?: string | Buffer;
}

/**
 * A Wallet Server's HTTPS client: presents its client certificate and trusts only the
 * development CA. Each call opens its own connection (no agent), like a fresh client would.
 */
export function createHttpsClient(baseUrl: string, caPem: string) {
  function post(path: string, body: unknown, options: PostOptions = {}): Promise<HttpResult> {
    const payload = options.raw ?? JSON.stringify(body);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Api-Version': '1.0.0',
      'x-request-id': randomUUID(),
    };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value === undefined) delete headers[name];
      else headers[name] = value;
    }
    return request('POST', path, payload, headers, options.identity);
  }

  function get(path: string, identity?: ClientIdentity): Promise<HttpResult> {
    return request('GET', path, undefined, {}, identity);
  }

  function request(
    method: string,
    path: string,
    payload: string | Buffer | undefined,
    headers: Record<string, string>,
    identity?: ClientIdentity,
  ): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        new URL(path, baseUrl),
        {
          method,
          headers: { ...headers, ...(payload === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(payload)) }) },
          ca: caPem,
          ...(identity ? { cert: identity.certificatePem, key: identity.privateKeyPem } : {}),
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  return { post, get };
}
export type HttpsClient = ReturnType<typeof createHttpsClient>;

/** A reviewer's call to the admin API: server TLS only, bearer token. */
export function adminRequest(
  url: string,
  caPem: string,
  method: 'GET' | 'POST',
  token: string | undefined,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; json: any; headers: Record<string, string | string[] | undefined> }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: caPem,
        agent: false,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
