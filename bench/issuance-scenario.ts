import type { HpkeJwk } from '../crypto/jwe-hpke';
import { issueCredentialsWithOffer, type IssuanceTimings } from '../wallet/credential-issuance';
import type { WalletSigningKey } from '../wallet/wallet-client-instance';
import { ms, percentile, post, type Target } from './bench-http';

/**
 * The full-issuance scenario of `npm run bench` (wallet/credential-issuance.ts), as a Wallet
 * Server runs it for one Wallet Client Instance: initiate with a Credential Offer's pre-authorized code (the evidence names the
 * holder account, profile §27 Session → holder) → APPROVED (polling status if the first answer
 * is PENDING) → /credential/provision → /credential/nonce → /credential/get of a batch, whose
 * credentials are decrypted, counted and checked to be bound one each to the get's presentment
 * keys. The same calls go to the bare baseline, which checks nothing and answers placeholders.
 */
export interface IssuanceSample extends IssuanceTimings {
  /** Wall time of the whole session, wallet work included. */
  session: number;
  credentialInstanceId: string;
  /** The decrypted credentials (none from the baseline, which answers a placeholder). */
  credentials: string[];
}

export interface IssuanceWallet {
  key: WalletSigningKey;
  /** An issuer key from `issuer_encryption_jwks`: clientEncryptedData and client items are encrypted to it. */
  issuerKey: HpkeJwk;
  /** `credential_issuer`: the proofs' aud. */
  credentialIssuer: string;
  configurationId: string;
  batchSize: number;
  /** A fresh pre-authorized code of an offer to a known holder (not timed: the issuer's back office makes it beforehand). */
  preAuthorizedCode(): Promise<string>;
  /** Decrypt and count the credentials (the baseline answers a placeholder). */
  openAnswers: boolean;
}

export async function runIssuanceSession(target: Target, wallet: IssuanceWallet): Promise<IssuanceSample> {
  const preAuthorizedCode = await wallet.preAuthorizedCode();
  const started = performance.now();
  const result = await issueCredentialsWithOffer({
    post: (route, body) => post(target, route, body),
    walletSigningKey: wallet.key,
    issuerKey: wallet.issuerKey,
    credentialIssuer: wallet.credentialIssuer,
    credentialConfigurationId: wallet.configurationId,
    preAuthorizedCode,
    presentmentKeyCount: wallet.batchSize,
    open: wallet.openAnswers,
  }).catch((error: unknown) => {
    throw new Error(`${target.name}: ${(error as Error).message}`);
  });
  const session = performance.now() - started;
  if (!result.outcome.issued) throw new Error(`${target.name}: the get was deferred ${JSON.stringify(result.outcome.pending)}`);
  const credentials = result.outcome.credentials;
  if (credentials) {
    if (credentials.length !== wallet.batchSize) throw new Error(`${target.name}: ${credentials.length} credentials for ${wallet.batchSize} keys`);
    const bound = credentials.map(boundKeyX);
    const sent = result.presentmentKeys.map((key) => key.publicJwk.x);
    if (bound.some((x) => x !== undefined) && [...bound].sort().join() !== [...sent].sort().join()) {
      throw new Error(`${target.name}: the credentials are not bound one each to the presentment keys of the get`);
    }
  }
  return { session, ...result.timings, credentialInstanceId: result.credentialInstanceId, credentials: credentials ?? [] };
}

/** `cnf.jwk.x` of a JWT-based credential (dc+sd-jwt, jwt_vc_json): the key it is bound to; undefined for other formats. */
function boundKeyX(credential: string): string | undefined {
  const payload = credential.split('~')[0]?.split('.')[1];
  if (!payload) return undefined;
  try {
    return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { cnf?: { jwk?: { x?: string } } }).cnf?.jwk?.x;
  } catch {
    return undefined;
  }
}

export interface IssuanceLoad {
  samples: IssuanceSample[];
  seconds: number;
}

/** `count` sessions, `parallel` at a time; `progress` hears of every tenth of them. */
export async function runIssuanceLoad(
  target: Target,
  wallet: IssuanceWallet,
  count: number,
  parallel: number,
  progress?: (done: number, count: number) => void,
): Promise<IssuanceLoad> {
  const samples: IssuanceSample[] = [];
  const step = Math.max(1, Math.floor(count / 10));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) {
        next += 1;
        samples.push(await runIssuanceSession(target, wallet));
        if (samples.length % step === 0 || samples.length === count) progress?.(samples.length, count);
      }
    }),
  );
  return { samples, seconds: (performance.now() - started) / 1000 };
}

const endpoints = ['initiate', 'status', 'provision', 'nonce', 'get'] as const satisfies readonly (keyof IssuanceSample)[];

export interface IssuanceSummary {
  name: string;
  sessions: number;
  sessionsPerSecond: number;
  /** p50/p99 by endpoint (status: over the sessions that polled), the session and the wallet's own work. */
  latency: Record<(typeof endpoints)[number] | 'session' | 'wallet', { p50: number; p99: number; count: number }>;
}

export function summarizeIssuance(name: string, { samples, seconds }: IssuanceLoad): IssuanceSummary {
  const of = (field: keyof IssuanceTimings | 'session') => {
    // Status is only called when initiate answered PENDING.
    const values = samples.map((s) => s[field]).filter((v) => field !== 'status' || v > 0);
    return { p50: percentile(values, 50), p99: percentile(values, 99), count: values.length };
  };
  return {
    name,
    sessions: samples.length,
    sessionsPerSecond: samples.length / seconds,
    latency: {
      initiate: of('initiate'),
      status: of('status'),
      provision: of('provision'),
      nonce: of('nonce'),
      get: of('get'),
      session: of('session'),
      wallet: of('wallet'),
    },
  };
}

export function printIssuanceSummaries(results: readonly IssuanceSummary[]): void {
  const columns = [...endpoints, 'session', 'wallet'] as const;
  console.log(`${'target'.padEnd(15)} ${'sessions/s'.padStart(10)}  ${columns.map((c) => `${c} p50 / p99`.padStart(22)).join('')}`);
  for (const r of results) {
    const cells = columns.map((c) => {
      const l = r.latency[c];
      return (l.count === 0 ? '—' : `${ms(l.p50)} / ${ms(l.p99)}`).padStart(22);
    });
    console.log(`${r.name.padEnd(15)} ${r.sessionsPerSecond.toFixed(1).padStart(10)}  ${cells.join('')}`);
  }
  const polled = results.map((r) => `${r.name}: ${r.latency.status.count} of ${r.sessions}`).join(', ');
  console.log(`(status is polled only when initiate answered PENDING — ${polled}; wallet = building the get's keys, proofs and clientEncryptedData)`);
}
