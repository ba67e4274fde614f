import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * The Wallet Server Endpoints that receive the issuer's notifications (S2S §Verification
 * Notification, §Event Notification), over mTLS. It records what arrives and answers as
 * scripted; the reference Wallet Server grows from here.
 */
export interface ReceivedNotification {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  clientCertificateSubject?: string;
  receivedAt: Date;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Answers only after this long (a slow Wallet Server). */
  delayMs?: number;
  /** The body to answer with (default: the ids a notification answer echoes). */
  body?: unknown;
}

/** Every request, whatever it was answered: what a test of retries looks at. */
export interface ReceivedAttempt extends ReceivedNotification {
  answeredStatus: number;
}

/** Selects the requests a scripted answer is for (e.g. one sessionId, one tenant's path). */
export type RequestMatcher = (request: { path: string; body: Record<string, unknown> }) => boolean;

export async function startNotificationReceiver(options: { certificatePem: string; privateKeyPem: string; clientCaPem: string; port?: number; host?: string }) {
  const received: ReceivedNotification[] = [];
  const attempts: ReceivedAttempt[] = [];
  // Scripts are per matcher, so tests sharing a receiver never take each other's answers.
  const scripts: { match: RequestMatcher; answers: ScriptedAnswer[] }[] = [];
  const standing: { match: RequestMatcher; answer: ScriptedAnswer }[] = [];
  const answerFor = (request: { path: string; body: Record<string, unknown> }): ScriptedAnswer => {
    const script = scripts.find((s) => s.answers.length > 0 && s.match(request));
    return script?.answers.shift() ?? standing.find((s) => s.match(request))?.answer ?? { status: 200 };
  };
  const listeners: ((n: ReceivedNotification) => void)[] = [];
  const delayed = new Set<NodeJS.Timeout>();
  const server = https.createServer(
    { cert: options.certificatePem, key: options.privateKeyPem, ca: options.clientCaPem, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          res.writeHead(400).end();
          return;
        }
        const answer = answerFor({ path: req.url ?? '', body });
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        const notification: ReceivedNotification = {
          path: req.url ?? '',
          headers: req.headers,
          body,
          ...(peer?.subject?.CN ? { clientCertificateSubject: String(peer.subject.CN) } : {}),
          receivedAt: new Date(),
        };
        attempts.push({ ...notification, answeredStatus: answer.status });
        if (answer.status >= 200 && answer.status < 300) {
          received.push(notification);
          for (const listener of listeners) listener(notification);
        }
        const respond = () => {
          if (res.destroyed) return;
          res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Api-Version': '1.0.0', ...answer.headers });
          // S2S §Verification Notification, Response Body Schema.
          res.end(JSON.stringify(answer.body ?? (answer.status < 300 ? { sessionId: body.sessionId, verificationId: body.verificationId } : {})));
        };
        if (!answer.delayMs) return respond();
        const timer = setTimeout(() => {
          delayed.delete(timer);
          respond();
        }, answer.delayMs);
        delayed.add(timer);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    /** Notifications answered with a 2xx. */
    received,
    /** Every request, with the status it was answered. */
    attempts,
    /** Answers for the next requests that `match` selects, in order (then the standing answer, or 200). */
    answerNext(match: RequestMatcher, ...answers: ScriptedAnswer[]): void {
      scripts.push({ match, answers: [...answers] });
    },
    /** Answers every request that `match` selects this way (a Wallet Server that is down, or slow). */
    answerAlways(match: RequestMatcher, answer: ScriptedAnswer): void {
      standing.push({ match, answer });
    },
    onNotification(listener: (n: ReceivedNotification) => void): void {
      listeners.push(listener);
    },
    /** Resolves when a notification matching `predicate` has arrived. */
    async waitFor(predicate: (n: ReceivedNotification) => boolean, timeoutMs = 15_000): Promise<ReceivedNotification> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error('notification did not arrive');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close(): Promise<void> {
      for (const timer of delayed) clearTimeout(timer);
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
export type NotificationReceiver = Awaited<ReturnType<typeof startNotificationReceiver>>;
