import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultMaxResponseBytes, defaultRetryAfterCeilingMs, outboundAttemptTimeLimitMs } from '../domain/outbound-retry';
import { defaultClientPayloadIatWindowMs } from '../domain/client-payload-binding';
import type { RetentionPeriods } from '../store/retention';

/**
 * Runtime configuration. Every value comes from an environment variable or, when
 * S2S_CONFIG_FILE names a JSON file, from that file (environment variables win).
 * The defaults are the embedded development stack that `npm start` runs.
 */
export interface AppConfig {
  api: {
    host: string;
    port: number;
    /** The Issuer Server's public base URL (credential_issuer in Credential Offers). */
    publicUrl: string;
    /** Largest accepted request body, in bytes. */
    bodyLimitBytes: number;
    /** How far a Client Encrypted Payload's iat may lie from the issuer's clock, either way (profile §11). */
    clientPayloadIatWindowMs: number;
    /** How long /verification/initiate waits for the workflow's first decision. */
    initialDecisionWaitMs: number;
    /** How long a stored x-request-id response is replayed. */
    idempotencyRetentionMs: number;
    /** How long an executing request holds its x-request-id without renewing (profile §3). */
    idempotencyLeaseMs: number;
    /** Fault injection for crash tests: kill the process right after this effect (api/fault-injection.ts). */
    crashAfter?: string;
    /** Send Server-Timing response headers (the bench's per-request breakdown). */
    serverTiming: boolean;
    /**
     * How long an API process may reuse a client certificate's tenant lookup (profile §1): the
     * bound on how late a revocation or deregistration takes effect. 0 looks up every request.
     */
    tenantCacheMs: number;
  };
  tls: {
    certFile: string;
    keyFile: string;
    /** CA bundle that Wallet Server client certificates must chain to (RFC 8705 §2). */
    clientCaFile: string;
    /** CRLs (PEM) of the client CAs: a listed certificate is refused at the handshake. */
    crlFile?: string;
  };
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    /** Task queue of calls to Wallet Servers (docs/architecture.md §Outbound calls). */
    outboundTaskQueue: string;
    /** Optional TLS towards a Temporal cluster; with a client certificate and key, mutual TLS. */
    tls?: { certFile?: string; keyFile?: string; caFile?: string; serverName?: string };
  };
  mongo: {
    /** From MONGODB_URI, or read from the file MONGODB_URI_FILE names (a secret: it holds credentials). */
    uri: string;
    database: string;
  };
  worker: {
    /** Activity slots of the worker on `temporal.taskQueue`; the SDK's default when unset. */
    maxConcurrentActivities?: number;
  };
  /** Calls to Wallet Servers (S2S §Verification Notification, §Rate Limiting). */
  outbound: {
    /** Activity slots of the worker on the outbound task queue: calls in flight at once. */
    maxConcurrentCalls: number;
    /** Bound on one HTTP attempt, the only time a call holds a slot (below Temporal's limit per attempt). */
    requestTimeoutMs: number;
    /** A Wallet Server's Retry-After is honoured as given up to this. */
    retryAfterCeilingMs: number;
    /** Largest answer body read from a Wallet Server; a longer one ends the attempt (profile §14). */
    maxResponseBytes: number;
  };
  /**
   * Quotas of a Wallet Server whose registration set none (profile §Quotas; per tenant with
   * `register-wallet-server --rate-limit --burst --max-open-verifications`).
   */
  quotas: {
    /** Requests per second, per tenant, per API process (S2S §Rate Limiting). */
    ratePerSecond: number;
    burst: number;
    maxOpenVerifications: number;
    /** Retry-After sent when the open-verification cap refuses an initiate. */
    openVerificationsRetryAfterSeconds: number;
  };
  /** The admin API for reviewers: a separate listener with its own authentication. */
  admin: {
    host: string;
    port: number;
    /** Admin credentials: id, role, SHA-256 of the bearer token, expiry (api/admin/admin-credentials.ts). */
    tokensFile: string;
    /** How often the credentials file is looked at for changes (rotation without a restart). */
    credentialsRecheckMs: number;
    /** Failed authentications per remote address within the window before it is answered 429. */
    authFailureLimit: number;
    authFailureWindowMs: number;
    /** How long a claim on a review case lasts. */
    claimMs: number;
  };
  /**
   * Each process's operations listener (observability/ops-server.ts): /metrics, /healthz,
   * /readyz, plain HTTP. `undefined` port: none.
   */
  /** The reviewer console's sessions (api/console/): idle and absolute expiry. */
  console: {
    idleMs: number;
    maxMs: number;
  };
  ops: {
    host: string;
    apiPort?: number;
    workerPort?: number;
  };
  /**
   * OpenTelemetry traces (observability/tracing.ts): exported by OTLP/HTTP to `otlpEndpoint`
   * (the standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces);
   * none when unset. `serviceName` (OTEL_SERVICE_NAME) replaces s2s-issuer-api / -worker.
   */
  tracing: {
    otlpEndpoint?: string;
    serviceName?: string;
  };
  /**
   * The public listener for Token Status Lists (profile §Status lists): HTTPS with the server
   * certificate and no client certificate, since any Relying Party fetches the lists.
   */
  statusLists: {
    host: string;
    port: number;
    /** Base of the lists' URIs (`status_list.uri` = publicUrl + /status-lists/{listId}). */
    publicUrl: string;
    /** Status List Token `ttl` and HTTP max-age, in seconds. */
    ttlSeconds: number;
    /** `exp` − `iat` of a Status List Token, in seconds; tokens are signed again after half of it. */
    validitySeconds: number;
  };
  /**
   * Credentials by reference (profile §25 Content Reference, S2S §Content Reference): a get whose
   * JWE is larger than the threshold answers a `contentReference`; the content is downloaded from
   * the API listener until it expires.
   */
  contentReference: {
    /** Largest JWE, in bytes, answered in band; a larger one is delivered by reference. */
    thresholdBytes: number;
    /** How long a stored content stays downloadable. */
    ttlMs: number;
  };
  /** Credential issuance (profile §25): deferred issuance and how long issuance records are kept. */
  credentialIssuance: {
    /** Longest wait between two looks at holder data that is not ready (deferred issuance); CredentialLifecycleInput.deferredPollMs. */
    deferredPollMs: number;
    /**
     * PROVISIONING_FAILURE reports after which the issuer cancels an instance (profile §29); 0
     * (the default): never, the Wallet Server retries with a get. CredentialLifecycleInput.provisioningFailureLimit.
     */
    provisioningFailuresBeforeCancel: number;
    /** How long a verified get request is kept (store/credential-requests.ts). */
    requestTtlMs: number;
    /** How long a get's encrypted answer is kept for the API to read (store/credential-deliveries.ts). */
    deliveryTtlMs: number;
  };
  /** Key material files (JSON; mount as secrets in production). */
  keys: {
    /** The issuer's HPKE encryption keys (private JWKs): crypto/issuer-keys.ts. */
    issuerKeysFile: string;
    /** Key-encryption keys for personal data at rest: crypto/data-encryption.ts. */
    dataKeysFile: string;
    /** HMAC keys for stored one-time codes: store/one-time-codes.ts. */
    otpKeysFile: string;
    /**
     * The issuer's credential signing keys with their certificate chains, one of them active for
     * new credentials: crypto/credential-signing-keys.ts.
     */
    signingKeysFile: string;
  };
  /** Outbound mTLS to Wallet Servers (S2S §Server Authentication): the issuer's client certificate. */
  walletServerTls: {
    certFile: string;
    keyFile: string;
    /** CAs that Wallet Server certificates chain to; the system store when unset. */
    caFile?: string;
  };
  verification: {
    /** The issuer's login page for issuer-surface authentication (a handle is appended). */
    issuerLoginUrl: string;
    /** The issuer's URL: the `aud` of credential presentations (KB-JWT). */
    presentationAudience: string;
    /** JSON file of trusted credential issuers for credential presentations. */
    trustedIssuersFile?: string;
    /** How long a VerificationDataRequest stays open (its deadline). */
    requestDeadlineMs: number;
    /** How many supplements one verification accepts (its maxAttempts). */
    maxAttempts: number;
    /** Registers the development verification types (never in production). */
    devTypesEnabled: boolean;
    /** A session with no final status after this long becomes EXPIRED. */
    idleExpiryMs: number;
    /** JSON file with the credential configuration policies; the development catalogue when unset. */
    catalogueFile?: string;
    /** JSON file of trusted key attestation issuers (profile §25, crypto/key-attestation.ts); none when unset. */
    keyAttestationTrustFile?: string;
  };
  /** The Temporal Schedule that repairs what crashes leave (docs/architecture.md §Reconciliation). */
  reconciliation: {
    /** 0 disables the Schedule (a worker that should not manage it). */
    intervalMs: number;
    lapsedGraceMs: number;
    closedLookbackMs: number;
    batchLimit: number;
    notificationResendAfterMs: number;
    notificationLookbackMs: number;
    /** Credential instances the sweep asks to reconcile per pass (profile §29); 0: no sweep. */
    sweepLimit: number;
  };
  /** The Temporal Schedule that deletes what is kept no longer (profile §Retention). */
  retention: {
    /** 0 disables the Schedule (a worker that should not manage it). */
    intervalMs: number;
    /** Most items of each kind per pass; the next pass takes the rest. */
    batchLimit: number;
  } & RetentionPeriods;
  /** Where development keys, certificates and server data live. */
  dataDir: string;
  logLevel: string;
}

type Env = Record<string, string | undefined>;

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}

/** An integer in [min, max]. */
function boundedIntFrom(value: string | undefined, fallback: number, name: string, min: number, max: number): number {
  const parsed = intFrom(value, fallback, name);
  if (parsed < min || parsed > max) throw new Error(`${name} must be between ${min} and ${max}, got "${value}"`);
  return parsed;
}

/** Flattens a nested config file into the environment-variable names it stands for. */
function fileValues(file: string): Env {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const out: Env = {};
  for (const [key, value] of Object.entries(json)) {
    if (value !== null && typeof value !== 'object') out[key] = String(value);
  }
  return out;
}

/** Profile §1: a revocation reaches every API process within this long. */
export const defaultTenantCacheMs = 1000;
export const maxTenantCacheMs = 5000;

/**
 * TLS towards Temporal: enabled by a CA or a client certificate. A certificate without its key
 * (or the reverse) is a mistake that would silently fall back to server-only TLS, so it is refused.
 */
function temporalTlsFrom(merged: Env): AppConfig['temporal']['tls'] {
  const certFile = merged.TEMPORAL_TLS_CERT || undefined;
  const keyFile = merged.TEMPORAL_TLS_KEY || undefined;
  const caFile = merged.TEMPORAL_TLS_CA || undefined;
  if (!certFile !== !keyFile) throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together (mutual TLS towards Temporal)');
  if (!certFile && !caFile) return undefined;
  return {
    ...(certFile && keyFile ? { certFile, keyFile } : {}),
    ...(caFile ? { caFile } : {}),
    ...(merged.TEMPORAL_TLS_SERVER_NAME ? { serverName: merged.TEMPORAL_TLS_SERVER_NAME } : {}),
  };
}

/** The MongoDB URI, from MONGODB_URI or from the secret file MONGODB_URI_FILE (not both). */
function mongoUriFrom(merged: Env): string {
  if (merged.MONGODB_URI && merged.MONGODB_URI_FILE) throw new Error('set MONGODB_URI or MONGODB_URI_FILE, not both');
  if (merged.MONGODB_URI_FILE) {
    const uri = readFileSync(merged.MONGODB_URI_FILE, 'utf8').trim();
    if (!uri) throw new Error(`MONGODB_URI_FILE ${merged.MONGODB_URI_FILE} is empty`);
    return uri;
  }
  return merged.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/';
}

export function loadConfig(env: Env = process.env): AppConfig {
  const merged: Env = env.S2S_CONFIG_FILE ? { ...fileValues(env.S2S_CONFIG_FILE), ...env } : env;
  const dataDir = path.resolve(merged.S2S_DATA_DIR ?? path.join(process.cwd(), '.data'));
  const pki = path.join(dataDir, 'pki');
  const temporalTls = temporalTlsFrom(merged);
  const taskQueue = merged.TEMPORAL_TASK_QUEUE ?? 's2s-issuer';
  return {
    api: {
      host: merged.S2S_API_HOST ?? '127.0.0.1',
      port: intFrom(merged.S2S_API_PORT, 8443, 'S2S_API_PORT'),
      publicUrl: merged.S2S_ISSUER_URL ?? `https://${merged.S2S_API_HOST ?? '127.0.0.1'}:${merged.S2S_API_PORT ?? 8443}`,
      bodyLimitBytes: intFrom(merged.S2S_BODY_LIMIT_BYTES, 256 * 1024, 'S2S_BODY_LIMIT_BYTES'),
      clientPayloadIatWindowMs: boundedIntFrom(
        merged.S2S_CLIENT_PAYLOAD_IAT_WINDOW_MS,
        defaultClientPayloadIatWindowMs,
        'S2S_CLIENT_PAYLOAD_IAT_WINDOW_MS',
        1000,
        24 * 3600 * 1000,
      ),
      initialDecisionWaitMs: intFrom(merged.S2S_INITIAL_DECISION_WAIT_MS, 2000, 'S2S_INITIAL_DECISION_WAIT_MS'),
      idempotencyRetentionMs: intFrom(merged.S2S_IDEMPOTENCY_RETENTION_MS, 24 * 3600 * 1000, 'S2S_IDEMPOTENCY_RETENTION_MS'),
      idempotencyLeaseMs: intFrom(merged.S2S_IDEMPOTENCY_LEASE_MS, 5000, 'S2S_IDEMPOTENCY_LEASE_MS'),
      ...(merged.S2S_FAULT_CRASH_AFTER ? { crashAfter: merged.S2S_FAULT_CRASH_AFTER } : {}),
      serverTiming: merged.S2S_SERVER_TIMING === 'true',
      tenantCacheMs: boundedIntFrom(merged.S2S_TENANT_CACHE_MS, defaultTenantCacheMs, 'S2S_TENANT_CACHE_MS', 0, maxTenantCacheMs),
    },
    tls: {
      certFile: merged.S2S_TLS_CERT ?? path.join(pki, 'issuer-server.crt'),
      keyFile: merged.S2S_TLS_KEY ?? path.join(pki, 'issuer-server.key'),
      clientCaFile: merged.S2S_TLS_CLIENT_CA ?? path.join(pki, 'ca.crt'),
      ...(merged.S2S_TLS_CRL_FILE ? { crlFile: merged.S2S_TLS_CRL_FILE } : {}),
    },
    temporal: {
      address: merged.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
      namespace: merged.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue,
      outboundTaskQueue: merged.TEMPORAL_OUTBOUND_TASK_QUEUE || `${taskQueue}-outbound`,
      ...(temporalTls ? { tls: temporalTls } : {}),
    },
    mongo: {
      uri: mongoUriFrom(merged),
      database: merged.MONGODB_DATABASE ?? 's2s_issuer',
    },
    worker: merged.S2S_WORKER_MAX_CONCURRENT_ACTIVITIES
      ? { maxConcurrentActivities: boundedIntFrom(merged.S2S_WORKER_MAX_CONCURRENT_ACTIVITIES, 0, 'S2S_WORKER_MAX_CONCURRENT_ACTIVITIES', 1, 10_000) }
      : {},
    outbound: {
      maxConcurrentCalls: boundedIntFrom(merged.S2S_OUTBOUND_MAX_CONCURRENT_CALLS, 20, 'S2S_OUTBOUND_MAX_CONCURRENT_CALLS', 1, 10_000),
      // Below Temporal's limit on one attempt, so an attempt always ends with the client's own verdict.
      requestTimeoutMs: boundedIntFrom(
        merged.S2S_OUTBOUND_REQUEST_TIMEOUT_MS,
        10_000,
        'S2S_OUTBOUND_REQUEST_TIMEOUT_MS',
        1,
        outboundAttemptTimeLimitMs - 5_000,
      ),
      retryAfterCeilingMs: intFrom(merged.S2S_OUTBOUND_RETRY_AFTER_MAX_MS, defaultRetryAfterCeilingMs, 'S2S_OUTBOUND_RETRY_AFTER_MAX_MS'),
      maxResponseBytes: boundedIntFrom(
        merged.S2S_OUTBOUND_RESPONSE_MAX_BYTES,
        defaultMaxResponseBytes,
        'S2S_OUTBOUND_RESPONSE_MAX_BYTES',
        1024,
        16 * 1024 * 1024,
      ),
    },
    quotas: {
      ratePerSecond: boundedIntFrom(merged.S2S_RATE_LIMIT_PER_SECOND, 100, 'S2S_RATE_LIMIT_PER_SECOND', 1, 1_000_000),
      burst: boundedIntFrom(merged.S2S_RATE_LIMIT_BURST, 200, 'S2S_RATE_LIMIT_BURST', 1, 1_000_000),
      maxOpenVerifications: boundedIntFrom(merged.S2S_MAX_OPEN_VERIFICATIONS, 10_000, 'S2S_MAX_OPEN_VERIFICATIONS', 1, 10_000_000),
      openVerificationsRetryAfterSeconds: boundedIntFrom(merged.S2S_OPEN_VERIFICATIONS_RETRY_AFTER_S, 30, 'S2S_OPEN_VERIFICATIONS_RETRY_AFTER_S', 1, 3600),
    },
    admin: {
      host: merged.S2S_ADMIN_HOST ?? '127.0.0.1',
      port: intFrom(merged.S2S_ADMIN_PORT, 8444, 'S2S_ADMIN_PORT'),
      tokensFile: merged.S2S_ADMIN_TOKENS_FILE ?? path.join(dataDir, 'keys', 'admin-credentials.json'),
      credentialsRecheckMs: intFrom(merged.S2S_ADMIN_CREDENTIALS_RECHECK_MS, 5_000, 'S2S_ADMIN_CREDENTIALS_RECHECK_MS'),
      authFailureLimit: intFrom(merged.S2S_ADMIN_AUTH_FAILURE_LIMIT, 10, 'S2S_ADMIN_AUTH_FAILURE_LIMIT'),
      authFailureWindowMs: intFrom(merged.S2S_ADMIN_AUTH_FAILURE_WINDOW_MS, 5 * 60 * 1000, 'S2S_ADMIN_AUTH_FAILURE_WINDOW_MS'),
      claimMs: intFrom(merged.S2S_REVIEW_CLAIM_MS, 30 * 60 * 1000, 'S2S_REVIEW_CLAIM_MS'),
    },
    console: {
      idleMs: boundedIntFrom(merged.S2S_CONSOLE_IDLE_MS, 15 * 60_000, 'S2S_CONSOLE_IDLE_MS', 60_000, 24 * 3600_000),
      maxMs: boundedIntFrom(merged.S2S_CONSOLE_SESSION_MS, 8 * 3600_000, 'S2S_CONSOLE_SESSION_MS', 60_000, 7 * 24 * 3600_000),
    },
    ops: {
      host: merged.S2S_METRICS_HOST ?? '127.0.0.1',
      ...optionalPort('apiPort', merged.S2S_METRICS_PORT, 9464, 'S2S_METRICS_PORT'),
      ...optionalPort('workerPort', merged.S2S_WORKER_METRICS_PORT, 9465, 'S2S_WORKER_METRICS_PORT'),
    },
    tracing: {
      ...(merged.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
        ? { otlpEndpoint: merged.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT }
        : merged.OTEL_EXPORTER_OTLP_ENDPOINT
          ? { otlpEndpoint: `${merged.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces` }
          : {}),
      ...(merged.OTEL_SERVICE_NAME ? { serviceName: merged.OTEL_SERVICE_NAME } : {}),
    },
    statusLists: statusListsFrom(merged),
    contentReference: contentReferenceFrom(merged),
    credentialIssuance: {
      deferredPollMs: boundedIntFrom(merged.S2S_CREDENTIAL_DEFERRED_POLL_MS, 3600_000, 'S2S_CREDENTIAL_DEFERRED_POLL_MS', 1000, 7 * 24 * 3600_000),
      provisioningFailuresBeforeCancel: boundedIntFrom(merged.S2S_PROVISIONING_FAILURES_BEFORE_CANCEL, 0, 'S2S_PROVISIONING_FAILURES_BEFORE_CANCEL', 0, 100),
      requestTtlMs: boundedIntFrom(merged.S2S_CREDENTIAL_REQUEST_TTL_MS, 24 * 3600_000, 'S2S_CREDENTIAL_REQUEST_TTL_MS', 60_000, 30 * 24 * 3600_000),
      deliveryTtlMs: boundedIntFrom(merged.S2S_CREDENTIAL_DELIVERY_TTL_MS, 10 * 60_000, 'S2S_CREDENTIAL_DELIVERY_TTL_MS', 10_000, 24 * 3600_000),
    },
    keys: {
      issuerKeysFile: merged.S2S_ISSUER_KEYS_FILE ?? path.join(dataDir, 'keys', 'issuer-keys.json'),
      dataKeysFile: merged.S2S_DATA_KEYS_FILE ?? path.join(dataDir, 'keys', 'data-keys.json'),
      otpKeysFile: merged.S2S_OTP_KEYS_FILE ?? path.join(dataDir, 'keys', 'otp-keys.json'),
      signingKeysFile: merged.S2S_SIGNING_KEYS_FILE ?? path.join(dataDir, 'keys', 'signing-keys.json'),
    },
    walletServerTls: {
      certFile: merged.S2S_WALLET_CLIENT_CERT ?? path.join(pki, 'issuer-client.crt'),
      keyFile: merged.S2S_WALLET_CLIENT_KEY ?? path.join(pki, 'issuer-client.key'),
      ...(merged.S2S_WALLET_SERVER_CA || !merged.S2S_WALLET_CLIENT_CERT ? { caFile: merged.S2S_WALLET_SERVER_CA ?? path.join(pki, 'ca.crt') } : {}),
    },
    verification: {
      issuerLoginUrl: merged.S2S_ISSUER_LOGIN_URL ?? 'https://issuer.example/wallet-login',
      presentationAudience: merged.S2S_ISSUER_URL ?? `https://${merged.S2S_API_HOST ?? '127.0.0.1'}:${merged.S2S_API_PORT ?? 8443}`,
      ...(merged.S2S_TRUSTED_ISSUERS_FILE ? { trustedIssuersFile: merged.S2S_TRUSTED_ISSUERS_FILE } : {}),
      requestDeadlineMs: intFrom(merged.S2S_REQUEST_DEADLINE_MS, 24 * 3600 * 1000, 'S2S_REQUEST_DEADLINE_MS'),
      maxAttempts: intFrom(merged.S2S_MAX_ATTEMPTS, 5, 'S2S_MAX_ATTEMPTS'),
      devTypesEnabled: merged.S2S_ENABLE_DEV_VERIFICATION_TYPES === 'true',
      idleExpiryMs: intFrom(merged.S2S_VERIFICATION_IDLE_EXPIRY_MS, 7 * 24 * 3600 * 1000, 'S2S_VERIFICATION_IDLE_EXPIRY_MS'),
      ...(merged.S2S_CREDENTIAL_CATALOGUE_FILE ? { catalogueFile: merged.S2S_CREDENTIAL_CATALOGUE_FILE } : {}),
      ...(merged.S2S_KEY_ATTESTATION_TRUST_FILE ? { keyAttestationTrustFile: merged.S2S_KEY_ATTESTATION_TRUST_FILE } : {}),
    },
    reconciliation: {
      intervalMs: intFrom(merged.S2S_RECONCILE_INTERVAL_MS, 60_000, 'S2S_RECONCILE_INTERVAL_MS'),
      lapsedGraceMs: intFrom(merged.S2S_RECONCILE_LAPSED_GRACE_MS, 60_000, 'S2S_RECONCILE_LAPSED_GRACE_MS'),
      closedLookbackMs: intFrom(merged.S2S_RECONCILE_CLOSED_LOOKBACK_MS, 3600_000, 'S2S_RECONCILE_CLOSED_LOOKBACK_MS'),
      batchLimit: intFrom(merged.S2S_RECONCILE_BATCH_LIMIT, 100, 'S2S_RECONCILE_BATCH_LIMIT'),
      notificationResendAfterMs: intFrom(merged.S2S_RECONCILE_NOTIFY_AFTER_MS, 10 * 60_000, 'S2S_RECONCILE_NOTIFY_AFTER_MS'),
      notificationLookbackMs: intFrom(merged.S2S_RECONCILE_NOTIFY_LOOKBACK_MS, 24 * 3600_000, 'S2S_RECONCILE_NOTIFY_LOOKBACK_MS'),
      sweepLimit: boundedIntFrom(merged.S2S_RECONCILE_SWEEP_LIMIT, 50, 'S2S_RECONCILE_SWEEP_LIMIT', 0, 1000),
    },
    retention: retentionFrom(merged),
    dataDir,
    logLevel: merged.LOG_LEVEL ?? 'info',
  };
}

/** A listener's port: `off` for none, 0 for any free one. */
function optionalPort<K extends string>(key: K, raw: string | undefined, fallback: number, name: string): Partial<Record<K, number>> {
  if (raw === 'off') return {};
  return { [key]: boundedIntFrom(raw, fallback, name, 0, 65_535) } as Partial<Record<K, number>>;
}

const day = 24 * 3600_000;

/** Profile §25 Content Reference: 512 KiB in band, 10 minutes to download what is larger. */
export const defaultContentReferenceThresholdBytes = 512 * 1024;
export const defaultContentReferenceTtlSeconds = 600;

/**
 * The threshold lies between 1 KiB (smaller would send every credential by reference) and 16 MiB
 * (a larger JSON answer is more than a Wallet Server should have to hold in memory); the lifetime
 * between 30 s (time for one retried download) and 1 day.
 */
function contentReferenceFrom(merged: Env): AppConfig['contentReference'] {
  return {
    thresholdBytes: boundedIntFrom(
      merged.S2S_CONTENT_REFERENCE_THRESHOLD_BYTES,
      defaultContentReferenceThresholdBytes,
      'S2S_CONTENT_REFERENCE_THRESHOLD_BYTES',
      1024,
      16 * 1024 * 1024,
    ),
    ttlMs: boundedIntFrom(merged.S2S_CONTENT_REFERENCE_TTL_S, defaultContentReferenceTtlSeconds, 'S2S_CONTENT_REFERENCE_TTL_S', 30, 86_400) * 1000,
  };
}

/** The status list listener (profile §Status lists); a token outlives its ttl, so a cached copy is never expired. */
function statusListsFrom(merged: Env): AppConfig['statusLists'] {
  const host = merged.S2S_PUBLIC_HOST ?? '127.0.0.1';
  const port = intFrom(merged.S2S_PUBLIC_PORT, 8445, 'S2S_PUBLIC_PORT');
  const ttlSeconds = boundedIntFrom(merged.S2S_STATUS_LIST_TTL_S, 300, 'S2S_STATUS_LIST_TTL_S', 1, 7 * 86_400);
  const validitySeconds = boundedIntFrom(merged.S2S_STATUS_LIST_VALIDITY_S, 86_400, 'S2S_STATUS_LIST_VALIDITY_S', 60, 365 * 86_400);
  if (validitySeconds < 2 * ttlSeconds) throw new Error('S2S_STATUS_LIST_VALIDITY_S must be at least twice S2S_STATUS_LIST_TTL_S');
  const publicUrl = (merged.S2S_PUBLIC_URL ?? `https://${host}:${port}`).replace(/\/+$/, '');
  return { host, port, publicUrl, ttlSeconds, validitySeconds };
}

/**
 * Retention periods (profile §Retention). A session outlives its evidence; one-time-code attempts
 * outlive the longest code (1 hour) plus the per-holder window (24 hours) they are counted in.
 */
function retentionFrom(merged: Env): AppConfig['retention'] {
  const evidenceMs = intFrom(merged.S2S_RETENTION_EVIDENCE_MS, 30 * day, 'S2S_RETENTION_EVIDENCE_MS');
  const sessionMs = intFrom(merged.S2S_RETENTION_SESSION_MS, 90 * day, 'S2S_RETENTION_SESSION_MS');
  if (sessionMs < evidenceMs) throw new Error('S2S_RETENTION_SESSION_MS must be at least S2S_RETENTION_EVIDENCE_MS');
  return {
    intervalMs: intFrom(merged.S2S_RETENTION_INTERVAL_MS, 15 * 60_000, 'S2S_RETENTION_INTERVAL_MS'),
    batchLimit: boundedIntFrom(merged.S2S_RETENTION_BATCH_LIMIT, 500, 'S2S_RETENTION_BATCH_LIMIT', 1, 10_000),
    evidenceMs,
    sessionMs,
    oneTimeCodeMs: boundedIntFrom(merged.S2S_RETENTION_ONE_TIME_CODES_MS, 30 * day, 'S2S_RETENTION_ONE_TIME_CODES_MS', day + 3600_000, Number.MAX_SAFE_INTEGER),
    credentialOfferMs: intFrom(merged.S2S_RETENTION_CREDENTIAL_OFFERS_MS, 30 * day, 'S2S_RETENTION_CREDENTIAL_OFFERS_MS'),
  };
}
