import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { HpkeJwk } from '../crypto/jwe-hpke';
import type { DeliveredCredentials, ProvisionCredentialResponse } from '../domain/schemas/credential';
import { createGetCredentialRequest, openCredentials, type CredentialRequestKeys } from '../wallet/credential-request';
import { getFromIssuer, postToIssuer, type IssuerAnswer } from '../wallet/issuer-request';
import {
  createInitiateWithItems,
  createVerificationData,
  generateWalletSigningKey,
  type WalletItems,
  type WalletSigningKey,
} from '../wallet/wallet-client-instance';

/**
 * A reference Wallet Server (S2S, the Wallet Server's side), grown from the wallet test client:
 * it drives the Issuer Server over mTLS for its Wallet Client Instances (every engagement flow,
 * then provision, nonce and get) and serves the endpoints the issuer calls — /verification/notify,
 * /event/notify, /credential/manage, /credential/status — over mTLS too. It keeps its own view of
 * each credential instance (the draft's Credential Status), which is what it answers the issuer.
 * Every exchange in either direction is reported to `onExchange`, for a narrator (npm run demo).
 */

/** One request and its answer, as the narrator shows it. */
export interface Exchange {
  direction: 'to-issuer' | 'from-issuer';
  route: string;
  status: number;
  request: unknown;
  response: unknown;
}

export type CredentialStatusName = 'ACTIVE' | 'SUSPENDED_ISSUER' | 'SUSPENDED_WALLET' | 'UNLINKED' | 'IN_PROCESS' | 'CANCELLED' | 'UNKNOWN';

/** The Wallet Server's view of one credential instance. */
export interface WalletInstanceView {
  sessionId: string;
  credentialInstanceId: string;
  credentialConfigurationId: string;
  status: CredentialStatusName;
  version: string;
  changedAt: Date;
  reason: string;
}

/** An issuer event or notification as received. */
export interface ReceivedCall {
  route: string;
  body: Record<string, unknown>;
  at: Date;
}

export interface ReferenceWalletServerOptions {
  /** The Issuer API (mTLS). */
  apiUrl: string;
  /** This Wallet Server's client certificate and the issuer's CA, for its calls to the issuer. */
  clientTls: { certificatePem: string; privateKeyPem: string; caPem: string };
  /** Its own listener's certificate, and the CA of the issuer's client certificate. */
  serverTls: { certificatePem: string; privateKeyPem: string; clientCaPem: string };
  host?: string;
  port?: number;
  onExchange?: (exchange: Exchange) => void;
}

/** How the issuer's lifecycle action moves the wallet's view (S2S §Credential Manage; profile §29). */
const afterIssuerAction: Record<string, CredentialStatusName> = { SUSPEND: 'SUSPENDED_ISSUER', RESUME: 'ACTIVE', UNLINK: 'UNLINKED' };

export async function startReferenceWalletServer(options: ReferenceWalletServerOptions) {
  const agent = new https.Agent({
    keepAlive: true,
    cert: options.clientTls.certificatePem,
    key: options.clientTls.privateKeyPem,
    ca: options.clientTls.caPem,
  });
  const report = (exchange: Exchange) => options.onExchange?.(exchange);
  const instances = new Map<string, WalletInstanceView>();
  const received: ReceivedCall[] = [];
  const waiters = new Set<() => void>();

  async function post(route: string, body: unknown): Promise<IssuerAnswer> {
    const answer = await postToIssuer(`${options.apiUrl}${route}`, body, { agent, requestId: randomUUID() });
    report({ direction: 'to-issuer', route, status: answer.status, request: body, response: answer.json });
    return answer;
  }

  const metadata = await getFromIssuer(`${options.apiUrl}/.well-known/openid-credential-issuer-s2s`, { agent }).catch((error: unknown) => {
    agent.destroy();
    throw error;
  });
  const published = (metadata.issuer_encryption_jwks as { keys: HpkeJwk[] } | undefined)?.keys[0];
  if (!published) throw new Error('the issuer metadata lists no issuer_encryption_jwks');
  const issuerKey: HpkeJwk = published;
  const credentialIssuer = String(metadata.credential_issuer);

  /** What the Wallet Server answers the issuer, per route (the draft's Wallet Server side). */
  function answerIssuer(route: string, body: Record<string, unknown>): { status: number; body: Record<string, unknown> } {
    const instance = typeof body.credentialInstanceId === 'string' ? instances.get(body.credentialInstanceId) : undefined;
    switch (route) {
      case '/verification/notify':
        return { status: 200, body: { sessionId: body.sessionId, verificationId: body.verificationId } };
      case '/event/notify':
        return { status: 200, body: { acknowledged: true } };
      case '/credential/status':
        if (!instance) return { status: 404, body: {} };
        return {
          status: 200,
          body: {
            sessionId: instance.sessionId,
            credentialInstanceId: instance.credentialInstanceId,
            currentStatus: instance.status,
            currentVersion: instance.version,
            lastStatusChangeTime: instance.changedAt.toUTCString(),
            lastStatusChangeReason: instance.reason,
          },
        };
      case '/credential/manage': {
        if (!instance) return { status: 404, body: {} };
        const next = afterIssuerAction[String(body.action)];
        if (!next) return { status: 400, body: {} };
        const previousStatus = instance.status;
        const outcome = previousStatus === next ? 'NO_CHANGE' : 'COMPLETED';
        if (outcome === 'COMPLETED')
          Object.assign(instance, { status: next, changedAt: new Date(), reason: String(body.reason ?? String(body.action).toLowerCase()) });
        return {
          status: 200,
          body: { sessionId: instance.sessionId, credentialInstanceId: instance.credentialInstanceId, currentStatus: instance.status, previousStatus, outcome },
        };
      }
      default:
        return { status: 404, body: {} };
    }
  }

  const server = https.createServer(
    {
      cert: options.serverTls.certificatePem,
      key: options.serverTls.privateKeyPem,
      ca: options.serverTls.clientCaPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > 64 * 1024) req.destroy();
        else chunks.push(chunk);
      });
      req.on('end', () => {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          res.writeHead(400).end();
          return;
        }
        // Everything under the base URL; the issuer appends the draft's paths.
        const route = (req.url ?? '').replace(/^\/s2s/, '');
        const answer = answerIssuer(route, body);
        received.push({ route, body, at: new Date() });
        report({ direction: 'from-issuer', route, status: answer.status, request: body, response: answer.body });
        res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Api-Version': '1.0.0' }).end(JSON.stringify(answer.body));
        for (const wake of waiters) wake();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      agent.destroy();
      reject(error);
    });
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  /** Resolves with the first call from the issuer that `matches` (already received or still to come). */
  function waitForCall(matches: (call: ReceivedCall) => boolean, timeoutMs = 60_000): Promise<ReceivedCall> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = received.find(matches);
        if (!found) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error('the issuer did not call'));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  }

  /** One Wallet Client Instance: its Wallet Signing Key and its session with the issuer. */
  async function newClient() {
    const key: WalletSigningKey = await generateWalletSigningKey();
    let ids: { sessionId: string; verificationId: string } | undefined;
    const current = () => {
      if (!ids) throw new Error('initiate first');
      return ids;
    };
    return {
      get ids() {
        return current();
      },
      /** /verification/initiate for a new session; `client` items are signed and encrypted by the Wallet Client. */
      async initiate(request: WalletItems & { credentialConfigurationIds: string[]; requestedDeviceCount?: number }) {
        const body = await createInitiateWithItems(key, issuerKey, request);
        const answer = await post('/verification/initiate', body);
        if (answer.status === 200) ids = { sessionId: body.sessionId, verificationId: answer.json.verificationId as string };
        return answer;
      },
      async supplement(data: WalletItems) {
        return post('/verification/supplement', { ...current(), verificationDataPayload: await createVerificationData(key, issuerKey, data, current()) });
      },
      status: () => post('/verification/status', current()),
      /**
       * The status once it has left `from`: read with /verification/status, and read again each
       * time the issuer notifies a change (notify, then pull), or after a second at the latest.
       */
      async statusAfter(from: string, timeoutMs = 60_000) {
        const deadline = Date.now() + timeoutMs;
        const { verificationId } = current();
        for (;;) {
          const seen = received.length;
          const answer = (await post('/verification/status', current())).json;
          if (answer.status !== from) return answer;
          if (Date.now() > deadline) throw new Error(`the verification is still ${from}`);
          await waitForCall(
            (call) => received.indexOf(call) >= seen && call.route === '/verification/notify' && call.body.verificationId === verificationId,
            1000,
          ).catch(() => undefined);
        }
      },
      /** /credential/provision: the instances, now IN_PROCESS in this Wallet Server's view too. */
      async provision(): Promise<Map<string, string>> {
        const answer = await post('/credential/provision', current());
        if (answer.status !== 200) throw new Error(`/credential/provision answered ${answer.status}`);
        const byConfiguration = new Map<string, string>();
        for (const entry of (answer.json as unknown as ProvisionCredentialResponse).CredentialInstances) {
          const credentialInstanceId = entry.credentialInstanceIds[0] as string;
          byConfiguration.set(entry.credentialConfigurationId, credentialInstanceId);
          if (!instances.has(credentialInstanceId))
            instances.set(credentialInstanceId, {
              sessionId: current().sessionId,
              credentialInstanceId,
              credentialConfigurationId: entry.credentialConfigurationId,
              status: 'IN_PROCESS',
              version: '',
              changedAt: new Date(),
              reason: 'provisioned',
            });
        }
        return byConfiguration;
      },
      /**
       * /credential/nonce then /credential/get of `presentmentKeyCount` credentials: decrypted with
       * the Wallet Encryption Key (200), or the pending answer (202, deferred). On credentials the
       * instance is ACTIVE in this view and the issuer is told PROVISIONING_SUCCESS.
       */
      async get(credentialInstanceId: string, presentmentKeyCount = 1, reason?: string) {
        const { sessionId } = current();
        const nonce = await post('/credential/nonce', { sessionId, credentialInstanceId });
        if (nonce.status !== 200) throw new Error(`/credential/nonce answered ${nonce.status}`);
        const request: { body: unknown } & CredentialRequestKeys = await createGetCredentialRequest({
          walletSigningKey: key,
          issuerKey,
          credentialIssuer,
          sessionId,
          credentialInstanceId,
          nonce: nonce.json.c_nonce as string,
          presentmentKeyCount,
          ...(reason ? { reason } : {}),
        });
        const answer = await post('/credential/get', request.body);
        if (answer.status === 202) return { issued: false as const, pending: answer.json };
        if (answer.status !== 200) throw new Error(`/credential/get answered ${answer.status} ${JSON.stringify(answer.json)}`);
        const credentials = await openCredentials(answer.json.credentials as DeliveredCredentials, request.walletEncryptionKey.privateJwk);
        const view = instances.get(credentialInstanceId);
        const version = String(answer.json.credentialVersion ?? '');
        if (view) Object.assign(view, { status: 'ACTIVE', version, changedAt: new Date(), reason: 'issued' });
        await this.event(credentialInstanceId, 'PROVISIONING_SUCCESS', { credentialVersion: version });
        return { issued: true as const, credentials, credentialVersion: version, presentmentKeys: request.presentmentKeys };
      },
      /** A lifecycle action of the Wallet Server's own (S2S §Credential Manage, wallet → issuer); its view follows the issuer's answer. */
      async manage(credentialInstanceId: string, action: 'SUSPEND' | 'RESUME' | 'UNLINK', reason: string) {
        const answer = await post('/credential/manage', {
          sessionId: current().sessionId,
          credentialInstanceId,
          action,
          reason,
          timestamp: new Date().toISOString(),
        });
        const view = instances.get(credentialInstanceId);
        if (view && answer.status === 200 && answer.json.outcome === 'COMPLETED')
          Object.assign(view, { status: answer.json.currentStatus as CredentialStatusName, changedAt: new Date(), reason });
        return answer;
      },
      /** An event of the Wallet Server's (S2S §Event Notification, wallet → issuer). */
      event(credentialInstanceId: string, eventType: string, eventDetails?: Record<string, string>) {
        return post('/event/notify', {
          sessionId: current().sessionId,
          credentialInstanceId,
          eventType,
          eventTimestamp: new Date().toISOString(),
          ...(eventDetails ? { eventDetails } : {}),
        });
      },
    };
  }

  return {
    /** The base URL to register for this Wallet Server (the issuer appends the draft's paths). */
    notificationBaseUrl: `https://127.0.0.1:${port}/s2s`,
    issuerKey,
    credentialIssuer,
    metadata,
    newClient,
    /** Its view of an instance (what it answers the issuer's /credential/status). */
    instance: (credentialInstanceId: string) => instances.get(credentialInstanceId),
    received,
    waitForCall,
    async close(): Promise<void> {
      agent.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
export type ReferenceWalletServer = Awaited<ReturnType<typeof startReferenceWalletServer>>;
export type ReferenceWalletClient = Awaited<ReturnType<ReferenceWalletServer['newClient']>>;
