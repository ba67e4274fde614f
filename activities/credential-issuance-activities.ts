import { createHash } from 'node:crypto';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { deterministicRequestId, type WalletServerClient } from '../clients/wallet-servers/wallet-server-client';
import type { MessageProofs } from '../crypto/message-proof';
import { encryptJwe, type HpkeJwk } from '../crypto/jwe-hpke';
import {
  isIssuableConfiguration,
  issuanceConfigurationOf,
  refreshTimingOf,
  type CredentialCatalogue,
  type CredentialConfiguration,
} from '../domain/credential-configurations';
import { credentialFormatFor, type CredentialFormatRegistry, type CredentialSigner } from '../domain/credential-formats/format';
import type { IssuerDataSource } from '../domain/issuer-data-source';
import { parseMessageProofText } from '../domain/message-proof';
import type { PublicJwk } from '../domain/schemas/common';
import type { WalletAction } from '../domain/credential-lifecycle';
import { walletViews, type WalletView } from '../domain/credential-reconciliation';
import { credentialLifecycleWorkflowId } from '../domain/workflow-ids';
import type { CredentialDeliveryStore } from '../store/credential-deliveries';
import type { CredentialRequestStore } from '../store/credential-requests';
import { issuedCredentialSetId, type IssuedCredentialSet, type IssuedCredentialStore } from '../store/issued-credentials';
import type { StatusListStore } from '../store/status-lists';
import type { TenantRepository } from '../store/tenants';
import { issueProofMessage, type IssueOutcome } from '../workflows/credential-lifecycle/messages';
import { outboundAttemptFailure, reachableTenant } from './outbound-attempt';
import { issuerMetrics } from '../observability/metrics';

export interface CredentialIssuanceActivityDeps {
  /** Verified get requests (store/credential-requests.ts). */
  requests: Pick<CredentialRequestStore, 'load'>;
  /** The issuer's holder records (store/issuer-holders.ts createMongoIssuerDataSource). */
  holders: IssuerDataSource;
  /** The credential configurations (the catalogue file; entries carry the issuance members). */
  configurations: CredentialCatalogue;
  /** Credential formats by identifier (crypto/credential-formats/index.ts). */
  formats: CredentialFormatRegistry;
  /**
   * The signer of new credentials of a format: that format's active key, else the active one
   * (crypto/credential-signing-keys.ts signerFor; an mdoc needs its document signer, ISO 18013-5 Annex B).
   */
  signers: { signerFor(format: string): CredentialSigner };
  statusLists: Pick<StatusListStore, 'allocateMany'>;
  /** `status_list.uri` of a list (domain/status-lists/status-list.ts statusListUri on the public URL). */
  statusListUri: (listId: string) => string;
  issuedCredentials: Pick<IssuedCredentialStore, 'find' | 'keep'>;
  deliveries: Pick<CredentialDeliveryStore, 'save'>;
  /** crypto/credential-version.ts createCredentialVersioner. */
  credentialVersion: (configurationId: string, claims: Readonly<Record<string, unknown>>) => string;
  tenants: Pick<TenantRepository, 'findById'>;
  walletServers: Pick<WalletServerClient, 'post'>;
  /** Retry-After values of Wallet Servers are honoured up to this (profile §14). */
  retryAfterCeilingMs: number;
  /** Checks the API's proof of origin on a get (crypto/message-proof.ts). */
  proofs: Pick<MessageProofs, 'verify'>;
  clock?: () => Date;
}

/** Identifies one credential instance: identifiers only, so activity inputs carry no personal data. */
export interface CredentialInstanceRef {
  tenantId: string;
  sessionId: string;
  credentialInstanceId: string;
}

/** What issuing for an instance needs besides the request: which configuration, for which holder. */
export interface IssuanceSubject extends CredentialInstanceRef {
  verificationId: string;
  credentialConfigurationId: string;
  holderAccountId: string;
}

/** Whether the holder's data can be issued now; when it can, the credentialVersion it would be issued as. */
export type HolderDataReadiness =
  | { outcome: 'ready'; credentialVersion?: string }
  | { outcome: 'pending'; notReadyUntil?: string }
  | { outcome: 'unavailable'; reason: 'no_data' | 'incomplete' };

const day = 86_400_000;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');

/** Activities of the CredentialLifecycleWorkflow: all its I/O, signing and encryption. */
export function createCredentialIssuanceActivities(deps: CredentialIssuanceActivityDeps) {
  const clock = deps.clock ?? (() => new Date());

  function configurationOf(id: string): CredentialConfiguration {
    const configuration = deps.configurations.get(id);
    // A configuration removed from the catalogue while instances exist: retrying cannot help.
    if (!configuration || !isIssuableConfiguration(configuration))
      throw ApplicationFailure.nonRetryable(`credential configuration ${id} is not in the catalogue`, 'CredentialConfigurationUnknown');
    return configuration;
  }

  /** The holder's claims for the configuration, or why there are none (domain/issuer-data-source.ts). */
  async function holderClaims(subject: IssuanceSubject, configuration: CredentialConfiguration) {
    const holder = await deps.holders.findHolder(subject.holderAccountId);
    return holder ? deps.holders.claimsFor(holder, configuration) : ({ outcome: 'no_data' } as const);
  }

  /** Signs one credential per key; each gets its own status entry, allocated once per credential. */
  async function signSet(
    subject: IssuanceSubject,
    configuration: CredentialConfiguration,
    claims: Record<string, unknown>,
    keys: { jwk: PublicJwk; thumbprint: string }[],
    credentialVersion: string,
  ): Promise<IssuedCredentialSet> {
    const issuance = issuanceConfigurationOf(configuration);
    const format = credentialFormatFor(deps.formats, issuance);
    const signer = deps.signers.signerFor(issuance.format);
    const issuedAt = clock();
    const validUntil = new Date(issuedAt.getTime() + configuration.validityDays * day);
    // Idempotent per credential: a retried issuance reuses the indexes its first attempt took.
    const entries = await deps.statusLists.allocateMany(
      keys.map((key) => `${subject.tenantId}/${subject.credentialInstanceId}/${key.thumbprint}/${credentialVersion}`),
    );
    const credentials = await Promise.all(
      keys.map(async (key, i) => {
        const entry = entries[i] as { listId: string; index: number };
        const issued = await format.issue({
          configuration: issuance,
          claims,
          holderKey: key.jwk,
          validity: { issuedAt, validFrom: issuedAt, validUntil },
          status: { uri: deps.statusListUri(entry.listId), index: entry.index },
          signer,
        });
        return issued.credential;
      }),
    );
    issuerMetrics.credentialsIssued.inc({ format: issuance.format, configuration: subject.credentialConfigurationId }, credentials.length);
    return { credentials, keyThumbprints: keys.map((key) => key.thumbprint), credentialVersion, expiresAt: validUntil, statusEntries: entries };
  }

  /**
   * One attempt of a POST to the tenant's Wallet Server (outbound task queue): an attempt that
   * does not deliver fails with the delay before the next (activities/outbound-attempt.ts).
   */
  async function postToWalletServer(
    tenantId: string,
    path: string,
    body: Record<string, unknown>,
    requestId: string,
    what: string,
    options: { notFound?: boolean } = {},
  ): Promise<{ body?: unknown } | 'not_found'> {
    const tenant = reachableTenant(await deps.tenants.findById(tenantId), tenantId);
    const answer = await deps.walletServers.post(`${tenant.notificationBaseUrl}${path}`, body, requestId, { call: path, tenant: tenantId });
    if (answer.outcome === 'delivered') return { body: answer.body };
    // A 404 is an answer where the caller asks about something the Wallet Server may not know.
    if (options.notFound && answer.outcome === 'refused' && answer.status === 404) return 'not_found';
    throw outboundAttemptFailure(answer, { what, attempt: Context.current().info.attempt, retryAfterCeilingMs: deps.retryAfterCeilingMs });
  }

  /**
   * One attempt of an issuer event to the Wallet Server's /event/notify (S2S §Event Notification).
   * Every attempt of one event carries the same x-request-id, derived from its type, the instance
   * and `idParts`, so the Wallet Server can deduplicate.
   */
  async function notifyEvent(
    input: CredentialInstanceRef & { eventTimestamp: string },
    eventType: string,
    options: { idParts: string[]; eventDetails?: Record<string, string>; triggeringRequestId?: string },
  ): Promise<void> {
    const requestId = deterministicRequestId(eventType.toLowerCase().replaceAll('_', '-'), input.tenantId, input.credentialInstanceId, ...options.idParts);
    const event = {
      sessionId: input.sessionId,
      credentialInstanceId: input.credentialInstanceId,
      eventType,
      eventTimestamp: input.eventTimestamp,
      ...(options.triggeringRequestId ? { triggeringRequestId: options.triggeringRequestId } : {}),
      ...(options.eventDetails ? { eventDetails: options.eventDetails } : {}),
    };
    await postToWalletServer(
      input.tenantId,
      '/event/notify',
      event,
      requestId,
      `${eventType} ${requestId} of credential instance ${input.credentialInstanceId}`,
    );
  }

  return {
    /**
     * A get (S2S §Get Credential): loads the verified request and the holder's claims, and for
     * each presentment key one credential bound to it (OpenID4VCI §8.1) with its own status entry.
     * Credentials already signed for the same keys and the same holder data set version are
     * reused, not signed again. The array of credentials is encrypted as one compact JWE to the
     * request's walletEncryptionKey (its HPKE alg, profile §11) and stored as a delivery; only
     * references and versions are returned. Every step is safe to repeat: the set and the
     * delivery are first-write-wins under ids derived from their inputs.
     */
    async issueCredentialBatch(input: IssuanceSubject & { requestRef: string; requestId: string }): Promise<Exclude<IssueOutcome, { outcome: 'closed' }>> {
      const configuration = configurationOf(input.credentialConfigurationId);
      // Independent reads, at once.
      const [request, claims] = await Promise.all([deps.requests.load(input.requestRef), holderClaims(input, configuration)]);
      if (!request || request.tenantId !== input.tenantId)
        throw ApplicationFailure.nonRetryable(`credential request ${input.requestRef} is missing`, 'CredentialRequestMissing');
      if (claims.outcome === 'pending') return { outcome: 'pending', ...(claims.notReadyUntil ? { notReadyUntil: claims.notReadyUntil.toISOString() } : {}) };
      if (claims.outcome !== 'ready') return { outcome: 'unavailable', reason: claims.outcome };

      const credentialVersion = deps.credentialVersion(configuration.id, claims.claims);
      const keys = await Promise.all(request.presentmentKeys.map(async (jwk) => ({ jwk, thumbprint: await calculateJwkThumbprint(jwk as JWK, 'sha256') })));
      // The same keys in any order are the same set.
      const keysDigest = sha256([...keys.map((key) => key.thumbprint)].sort().join('.'));
      // Profile §29, Refresh: a set is handed out again only within the renewal period it was
      // signed in, so a get never receives credentials already due for refresh.
      const { refreshBeforeMs, renewalPeriodMs } = refreshTimingOf(configuration);
      const renewalPeriod = Math.floor(clock().getTime() / renewalPeriodMs);
      const setId = issuedCredentialSetId({
        tenantId: input.tenantId,
        credentialInstanceId: input.credentialInstanceId,
        keysDigest,
        credentialVersion,
        renewalPeriod,
      });
      const set =
        (await deps.issuedCredentials.find(setId)) ??
        (await deps.issuedCredentials.keep(
          setId,
          { tenantId: input.tenantId, credentialInstanceId: input.credentialInstanceId },
          await signSet(input, configuration, claims.claims, keys, credentialVersion),
        ));
      const byKey = new Map(set.keyThumbprints.map((thumbprint, i) => [thumbprint, set.credentials[i] as string]));
      const credentials = keys.map((key) => byKey.get(key.thumbprint) as string);

      // S2S §Get Credential: "JWE object whose plaintext is an Array of Credentials".
      const wek = request.walletEncryptionKey as HpkeJwk;
      const jwe = (await encryptJwe(Buffer.from(JSON.stringify(credentials), 'utf8'), wek, { alg: wek.alg as string })) as string;
      const deliveryRef = sha256(`credential-delivery\u0000${input.tenantId}\u0000${input.requestRef}\u0000${setId}`);
      const delivered = await deps.deliveries.save(input.tenantId, deliveryRef, { jwe, credentialVersion });
      log.info('credentials issued', { credentialInstanceId: input.credentialInstanceId, count: credentials.length });
      return {
        outcome: 'issued',
        credentialVersion: delivered.credentialVersion,
        deliveryRef,
        refreshAt: new Date(set.expiresAt.getTime() - refreshBeforeMs).toISOString(),
      };
    },

    /** Whether the holder's data for the instance is ready now (deferred issuance), and as which credentialVersion (an update). */
    async checkHolderData(input: IssuanceSubject): Promise<HolderDataReadiness> {
      const configuration = configurationOf(input.credentialConfigurationId);
      const claims = await holderClaims(input, configuration);
      if (claims.outcome === 'ready') return { outcome: 'ready', credentialVersion: deps.credentialVersion(configuration.id, claims.claims) };
      if (claims.outcome === 'pending') return { outcome: 'pending', ...(claims.notReadyUntil ? { notReadyUntil: claims.notReadyUntil.toISOString() } : {}) };
      return { outcome: 'unavailable', reason: claims.outcome };
    },

    /** Whether a get carries the API's proof of origin over its references. */
    async verifyIssueProof(input: CredentialInstanceRef & { requestRef: string; requestId: string; proof?: string }): Promise<boolean> {
      const valid = deps.proofs.verify(
        credentialLifecycleWorkflowId(input),
        issueProofMessage,
        { requestRef: input.requestRef, requestId: input.requestId },
        parseMessageProofText(input.proof),
      );
      if (!valid) log.warn('get refused: no valid proof of origin', { credentialInstanceId: input.credentialInstanceId });
      return valid;
    },

    /**
     * POSTs CREDENTIAL_READY to the Wallet Server's /event/notify (S2S §Event Notification), once:
     * an attempt that does not deliver fails with the delay before the next (activities/outbound-attempt.ts).
     * Every attempt carries the same x-request-id, derived from the instance and the triggering
     * get, so the Wallet Server can deduplicate.
     */
    async notifyCredentialReady(input: CredentialInstanceRef & { triggeringRequestId: string; eventTimestamp: string }): Promise<void> {
      await notifyEvent(input, 'CREDENTIAL_READY', { idParts: [input.triggeringRequestId], triggeringRequestId: input.triggeringRequestId });
    },

    /**
     * POSTs CREDENTIAL_UPDATE_AVAILABLE to the Wallet Server's /event/notify (S2S §Event
     * Notification; profile §29): the holder's data changed since the credentials it holds, and a
     * get now issues `credentialVersion`. Once, like CREDENTIAL_READY; the x-request-id derives
     * from the instance and the new version.
     */
    async notifyCredentialUpdateAvailable(
      input: CredentialInstanceRef & { credentialVersion: string; eventTimestamp: string; refreshOf?: string },
    ): Promise<void> {
      // A refresh (same data, credentials near expiry) is another offer than the version's first.
      await notifyEvent(input, 'CREDENTIAL_UPDATE_AVAILABLE', {
        idParts: [input.credentialVersion, ...(input.refreshOf ? [input.refreshOf] : [])],
        eventDetails: { credentialVersion: input.credentialVersion },
      });
    },

    /**
     * POSTs DISPLAY_DATA_UPDATED to the Wallet Server's /event/notify (S2S §Event Notification;
     * profile §29): the display data of the instance's configuration changed; the Wallet Server
     * fetches `/credential/metadata`. Once per version; the x-request-id derives from the instance
     * and the version.
     */
    async notifyDisplayDataUpdated(input: CredentialInstanceRef & { credentialMetadataVersion: string; eventTimestamp: string }): Promise<void> {
      await notifyEvent(input, 'DISPLAY_DATA_UPDATED', {
        idParts: [input.credentialMetadataVersion],
        eventDetails: { credentialMetadataVersion: input.credentialMetadataVersion },
      });
    },

    /**
     * Asks the Wallet Server for its view of the instance (S2S §Get Credential Status, issuer →
     * Wallet Server; profile §29, Reconciliation). `NOT_FOUND` when it answers 404; `UNKNOWN`
     * when its answer names no status this profile knows. Retried like a notification.
     */
    async askWalletServerStatus(input: CredentialInstanceRef & { reconciliationId: string }): Promise<{ walletView: WalletView; currentVersion?: string }> {
      const requestId = deterministicRequestId('credential-status', input.tenantId, input.credentialInstanceId, input.reconciliationId);
      const answer = await postToWalletServer(
        input.tenantId,
        '/credential/status',
        { sessionId: input.sessionId, credentialInstanceId: input.credentialInstanceId },
        requestId,
        `/credential/status ${requestId} of credential instance ${input.credentialInstanceId}`,
        { notFound: true },
      );
      if (answer === 'not_found') return { walletView: 'NOT_FOUND' };
      const view = answer.body as { currentStatus?: unknown; currentVersion?: unknown } | undefined;
      const status =
        (walletViews as readonly unknown[]).includes(view?.currentStatus) && view?.currentStatus !== 'NOT_FOUND'
          ? (view?.currentStatus as WalletView)
          : 'UNKNOWN';
      const version = typeof view?.currentVersion === 'string' && view.currentVersion.length <= 128 ? view.currentVersion : undefined;
      return { walletView: status, ...(version === undefined ? {} : { currentVersion: version }) };
    },

    /**
     * Tells the Wallet Server of the issuer's lifecycle change (S2S §Credential Manage, issuer →
     * Wallet Server; profile §29): POSTs `action` to its /credential/manage, once, like
     * CREDENTIAL_READY (same retries and give-up). Every attempt carries the same x-request-id,
     * derived from the instance and the status version it reports.
     */
    async tellWalletServerLifecycle(
      input: CredentialInstanceRef & { action: WalletAction; reason: string; statusVersion: number; timestamp: string; attemptKey?: string },
    ): Promise<void> {
      const requestId = deterministicRequestId(
        'credential-manage',
        input.tenantId,
        input.credentialInstanceId,
        String(input.statusVersion),
        ...(input.attemptKey ? [input.attemptKey] : []),
      );
      const request = {
        sessionId: input.sessionId,
        credentialInstanceId: input.credentialInstanceId,
        action: input.action,
        reason: input.reason,
        timestamp: input.timestamp,
      };
      await postToWalletServer(
        input.tenantId,
        '/credential/manage',
        request,
        requestId,
        `${input.action} ${requestId} of credential instance ${input.credentialInstanceId}`,
      );
    },
  };
}
export type CredentialIssuanceActivities = ReturnType<typeof createCredentialIssuanceActivities>;
