import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { registerWalletServer } from '../cli/register-wallet-server';
import { connectMongo, ensureIndexes } from '../store/mongo';
import { createTenantRepository } from '../store/tenants';
import { devApproveType } from '../domain/verification-types/development';
import { ensureDevMaterial } from '../dev/dev-material';
import { issueCertificate, loadCertificateAuthority } from '../dev/dev-pki';
import { developmentDatabaseBackend, startDevelopmentDatabase } from '../dev/development-database';
import { freePort, startProcess, startTemporalDevServer, waitForPort, type ManagedProcess } from '../dev/processes';
import { toolPaths } from '../dev/tools';
import { cpuSecondsByTree } from './process-cpu';
import { ms, percentile, phasesByRoute, post, printServerTiming, type Target } from './bench-http';
import type { FloodCounts, FloodProcessConfig } from './flood';
import { startNotificationReceiver, type NotificationReceiver } from '../wallet/notification-receiver';
import { getFromIssuer } from '../wallet/issuer-request';
import { loadConfig } from '../config/config';
import { developmentCatalogue } from '../config/verification';
import { loadIssuerKeyMaterial } from '../crypto/key-material';
import type { HpkeJwk } from '../crypto/jwe-hpke';
import { fakeHolders, seedFakeHolders } from '../dev/fake-holders';
import { createCredentialOffers } from '../dev/credential-offers';
import { measureIssuanceCryptoCost, printIssuanceCryptoCost, type IssuanceCryptoCost } from './issuance-crypto-cost';
import { printIssuanceSummaries, runIssuanceLoad, runIssuanceSession, summarizeIssuance, type IssuanceSummary, type IssuanceWallet } from './issuance-scenario';
import { measureStatusChanges, printStatusChanges, type StatusChangeSummary } from './status-change-scenario';
import { createInitiateRequest, generateWalletSigningKey, type WalletSigningKey } from '../wallet/wallet-client-instance';

/**
 * `npm run bench`: initiate→status sessions per second, with p50/p99 latencies, for the Issuer
 * API and for a bare baseline of the same Temporal shape, on a stack this script starts itself
 * (Temporal dev server, the development database, worker and API as separate processes, like
 * `npm start`). BENCH_SESSIONS and BENCH_CONCURRENCY set the load; S2S_DEV_DATABASE=sqlite
 * measures FerretDB on SQLite instead of PostgreSQL.
 *
 * Then the quota scenario (profile §Quotas): the same Wallet Server's sessions, alternately alone
 * and while a second Wallet Server floods far above its rate limit (BENCH_FLOOD_RATE requests per
 * second against a quota of BENCH_FLOOD_QUOTA). It prints the flooder's 429s and the first
 * Wallet Server's latency with and without the flood. BENCH_QUOTA_ROUNDS=0 skips it. Rounds of
 * BENCH_QUOTA_SESSIONS sessions alternate (alone, flood, alone, ...) so that the drift of a shared
 * machine affects both sides alike, and medians and p95 are taken over all rounds. The measured
 * load (BENCH_QUOTA_CONCURRENCY) is kept below saturation: at saturation any extra CPU, the
 * flooder's own client included, shows as latency on a 2-core machine running the whole stack.
 * The flooder's quota is small (0.2/s, burst 1): what it may send is executed like anyone's, and
 * on this machine one full verification per second is about a tenth of the whole stack's capacity.
 *
 * Between the two, the full-issuance scenario (bench/issuance-scenario.ts): initiate with a
 * Credential Offer's pre-authorized code → APPROVED → /credential/provision → /credential/nonce →
 * /credential/get of a batch, with p50/p99 per endpoint against the Issuer API and the bare
 * baseline, and the throughput ratio. BENCH_ISSUANCE_SESSIONS (0 skips it),
 * BENCH_ISSUANCE_CONCURRENCY, BENCH_ISSUANCE_BATCH (credentials per get, 3),
 * BENCH_ISSUANCE_CONFIGURATION (eu.europa.ec.eudi.pid.1) and BENCH_ISSUANCE_HOLDER (a fake holder
 * of dev/fake-holders.ts, seeded here as npm start does) set it. Before the stack starts, a
 * microbenchmark measures the CPU of a get's cryptography in-process (bench/issuance-crypto-cost.ts;
 * BENCH_CRYPTO_ITERATIONS gets, 0 skips it). BENCH_SESSIONS=0 skips the initiate→status scenario.
 * After it (profile §29), BENCH_STATUS_CHANGES (30; 0 skips it) credentials are issued and their
 * instances suspended one at a time by the back office: the time from the back-office call to
 * the bit in the published status list (bench/status-change-scenario.ts).
 * BENCH_PROFILE_DIR=dir makes the worker and the API write V8 CPU profiles (.cpuprofile) there.
 */
const sessions = Number(process.env.BENCH_SESSIONS ?? 400);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const quotaRounds = Number(process.env.BENCH_QUOTA_ROUNDS ?? 6);
const quotaSessions = Number(process.env.BENCH_QUOTA_SESSIONS ?? 50);
const quotaConcurrency = Number(process.env.BENCH_QUOTA_CONCURRENCY ?? 2);
const floodRate = Number(process.env.BENCH_FLOOD_RATE ?? 100);
const floodQuota = Number(process.env.BENCH_FLOOD_QUOTA ?? 0.2);
const warmup = Math.min(40, sessions);
const issuanceSessions = Number(process.env.BENCH_ISSUANCE_SESSIONS ?? 100);
const issuanceConcurrency = Number(process.env.BENCH_ISSUANCE_CONCURRENCY ?? 8);
const issuanceBatch = Number(process.env.BENCH_ISSUANCE_BATCH ?? 3);
const issuanceConfiguration = process.env.BENCH_ISSUANCE_CONFIGURATION ?? 'eu.europa.ec.eudi.pid.1';
const issuanceHolder = process.env.BENCH_ISSUANCE_HOLDER ?? 'test-holder-erika';
const cryptoIterations = Number(process.env.BENCH_CRYPTO_ITERATIONS ?? 200);
const statusChangeCount = Number(process.env.BENCH_STATUS_CHANGES ?? 30);
const say = (line: string) => console.log(`[bench] ${line}`);

type VerificationAnswer = { verificationId?: string; status?: string };

interface Sample {
  session: number;
  initiate: number;
  status: number;
}

async function runSession(target: Target, key: WalletSigningKey): Promise<Sample> {
  const body = await createInitiateRequest({
    key,
    credentialConfigurationIds: ['org.iso.18013.5.1.mDL'],
    verificationData: { serverVerificationDataItem: [{ id: 'bench', type: devApproveType }] },
  });
  const t0 = performance.now();
  const initiated = await post<VerificationAnswer>(target, '/verification/initiate', body);
  const t1 = performance.now();
  if (initiated.status !== 200 || !['APPROVED', 'PENDING'].includes(initiated.json.status ?? '')) {
    throw new Error(`${target.name} initiate answered ${initiated.status} ${JSON.stringify(initiated.json)}`);
  }
  // A Wallet Server polls until the decision is there (S2S §Asynchronous Endpoints).
  for (let polls = 0; ; polls += 1) {
    const polled = await post<VerificationAnswer>(target, '/verification/status', { sessionId: body.sessionId, verificationId: initiated.json.verificationId });
    if (polled.status !== 200) throw new Error(`${target.name} status answered ${polled.status}`);
    if (polled.json.status === 'APPROVED') break;
    if (polls > 200) throw new Error(`${target.name}: session not approved after ${polls} polls`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const t2 = performance.now();
  return { session: t2 - t0, initiate: t1 - t0, status: t2 - t1 };
}

async function runLoad(target: Target, key: WalletSigningKey, count: number, parallel = concurrency): Promise<{ samples: Sample[]; seconds: number }> {
  const samples: Sample[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next += 1;
        samples.push(await runSession(target, key));
      }
    }),
  );
  return { samples, seconds: (performance.now() - started) / 1000 };
}

function summarize(name: string, { samples, seconds }: { samples: Sample[]; seconds: number }) {
  const pick = (field: keyof Sample) => samples.map((s) => s[field]);
  return {
    name,
    sessionsPerSecond: samples.length / seconds,
    session: { p50: percentile(pick('session'), 50), p99: percentile(pick('session'), 99) },
    initiate: { p50: percentile(pick('initiate'), 50), p99: percentile(pick('initiate'), 99) },
    status: { p50: percentile(pick('status'), 50), p99: percentile(pick('status'), 99) },
  };
}

async function main(): Promise<void> {
  const tools = toolPaths();
  const dir = mkdtempSync(path.join(os.tmpdir(), 's2s-bench-'));
  // PostgreSQL may run as an unprivileged user (when we are root): it must be able to enter.
  chmodSync(dir, 0o711);
  const backend = developmentDatabaseBackend();
  const logDir = path.join(dir, 'logs');
  const children: ManagedProcess[] = [];
  let receiver: NotificationReceiver | undefined;
  try {
    const material = await ensureDevMaterial(dir);
    const [temporalPort, mongoPort, apiPort, baselinePort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    // The cryptography of a get, in this process, before the stack runs (nothing else competes).
    let cryptoCost: IssuanceCryptoCost | undefined;
    if (cryptoIterations > 0) {
      say(`sign/encrypt microbenchmark: ${cryptoIterations} gets of ${issuanceBatch} × ${issuanceConfiguration}, in-process`);
      const configuration = developmentCatalogue.find((c) => c.id === issuanceConfiguration);
      const holder = fakeHolders.find((h) => h.holderAccountId === issuanceHolder);
      if (!configuration || !holder) throw new Error(`no development configuration ${issuanceConfiguration} or fake holder ${issuanceHolder}`);
      cryptoCost = await measureIssuanceCryptoCost({
        iterations: cryptoIterations,
        batchSize: issuanceBatch,
        configuration,
        holder,
        issuerKeysFile: material.issuerKeys,
        signingKeysFile: material.signingKeys,
        credentialIssuer: `https://127.0.0.1:${apiPort}`,
      });
    }
    // The admin and status-list listeners too: a running development stack holds their defaults.
    const [adminPort, publicPort] = [await freePort(), await freePort()];
    say(`starting Temporal dev server, FerretDB on ${backend}, worker, Issuer API and baseline (logs in ${logDir})`);
    children.push(await startTemporalDevServer(tools, { port: temporalPort, dbFile: path.join(dir, 'temporal.db'), logDir }));
    const database = await startDevelopmentDatabase({ tools, backend, dir, mongoPort, logDir });
    children.push(...database.processes);
    const env = {
      S2S_DATA_DIR: dir,
      S2S_ENABLE_DEV_VERIFICATION_TYPES: 'true',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      MONGODB_URI: database.mongoUri,
      S2S_API_PORT: String(apiPort),
      S2S_ADMIN_PORT: String(adminPort),
      S2S_PUBLIC_PORT: String(publicPort),
      // Operations listeners on free ports: several stacks may run at once.
      S2S_METRICS_PORT: '0',
      S2S_WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      // The per-request breakdown below comes from the API's Server-Timing headers.
      S2S_SERVER_TIMING: 'true',
    };
    // The bench wallet answers the issuer's notifications, as a Wallet Server would.
    receiver = await startNotificationReceiver({
      certificatePem: readFileSync(material.walletTlsCert, 'utf8'),
      privateKeyPem: readFileSync(material.walletTlsKey, 'utf8'),
      clientCaPem: readFileSync(material.caCert, 'utf8'),
    });
    const { client, db } = await connectMongo(env.MONGODB_URI, 's2s_issuer');
    await ensureIndexes(db);
    // The holder records credentials are issued from, as npm start seeds them (profile §27).
    await seedFakeHolders(db, loadIssuerKeyMaterial(loadConfig(env)).dataKeyring);
    // The measured Wallet Server is given a rate limit its load never reaches (its polling alone
    // is above the default); the flooder of the quota scenario gets a small one.
    const benchTenant = await registerWalletServer(
      {
        name: 'bench wallet',
        certificatePem: readFileSync(material.walletCert, 'utf8'),
        notificationBaseUrl: `${receiver.url}/s2s`,
        clientCaPem: readFileSync(material.caCert, 'utf8'),
        quotas: { ratePerSecond: 100_000, burst: 100_000 },
      },
      createTenantRepository(db),
    );
    const ca = await loadCertificateAuthority(readFileSync(material.caCert, 'utf8'), readFileSync(material.caKey, 'utf8'));
    const flooder = await issueCertificate(ca, { commonName: 'bench flooder', usage: 'client' });
    await registerWalletServer(
      {
        name: 'bench flooder',
        certificatePem: flooder.certificatePem,
        notificationBaseUrl: `${receiver.url}/flood`,
        clientCaPem: ca.certificatePem,
        quotas: { ratePerSecond: floodQuota, burst: Math.max(1, floodQuota), maxOpenVerifications: 100 },
      },
      createTenantRepository(db),
    );
    await client.close();

    const dist = path.resolve(__dirname, '..');
    // BENCH_PROFILE_DIR: the worker and the API write V8 CPU profiles there when they stop.
    const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE_DIR)}`] : [];
    children.push(startProcess('worker', process.execPath, [...profile, path.join(dist, 'workers/main.js')], { logDir, env }));
    const api = startProcess('api', process.execPath, [...profile, path.join(dist, 'api/main.js')], { logDir, env });
    children.push(api);
    const baseline = startProcess('baseline', process.execPath, [path.join(dist, 'bench/baseline-server.js')], {
      logDir,
      env: { ...env, S2S_API_PORT: String(baselinePort) },
    });
    children.push(baseline);
    await waitForPort(apiPort, 60_000, api);
    await waitForPort(baselinePort, 60_000, baseline);

    const agentOptions = {
      keepAlive: true,
      maxSockets: concurrency,
      ca: readFileSync(material.caCert),
      cert: readFileSync(material.walletCert),
      key: readFileSync(material.walletKey),
    };
    const newTargets = (maxSockets: number): [Target, Target] => [
      { name: 'issuer API', url: `https://127.0.0.1:${apiPort}`, agent: new https.Agent({ ...agentOptions, maxSockets }) },
      { name: 'bare baseline', url: `https://127.0.0.1:${baselinePort}`, agent: new https.Agent({ ...agentOptions, maxSockets }) },
    ];
    const key = await generateWalletSigningKey();
    // CPU by component: on a small machine every process competes for the same cores.
    const trees = {
      api: api.child.pid,
      worker: children.find((c) => c.name === 'worker')?.child.pid,
      baseline: baseline.child.pid,
      temporal: children.find((c) => c.name === 'temporal')?.child.pid,
      ferretdb: database.ferretdb.child.pid,
      postgres: database.postgres?.child.pid,
    };
    if (sessions > 0) await runVerificationScenario(newTargets(concurrency), key, trees, backend);
    if (issuanceSessions > 0) {
      await runIssuanceScenario({
        targets: newTargets(issuanceConcurrency),
        key,
        trees,
        offers: {
          adminUrl: `https://127.0.0.1:${adminPort}`,
          caPem: readFileSync(material.caCert, 'utf8'),
          backOfficeToken: readFileSync(material.devBackOfficeToken, 'utf8').trim(),
        },
        statusChanges: {
          tenantId: benchTenant._id,
          statusListBaseUrl: `https://127.0.0.1:${publicPort}`,
          publicStatusListUrl: loadConfig(env).statusLists.publicUrl,
          ttlSeconds: loadConfig(env).statusLists.ttlSeconds,
        },
      });
    }
    if (cryptoCost) printIssuanceCryptoCost(cryptoCost, issuanceConfiguration);

    if (quotaRounds > 0) {
      await runQuotaScenario({
        url: `https://127.0.0.1:${apiPort}`,
        agentOptions,
        flooder: { caPem: readFileSync(material.caCert, 'utf8'), certificatePem: flooder.certificatePem, privateKeyPem: flooder.privateKeyPem },
        key,
        apiPid: api.child.pid,
      });
    }
  } catch (error) {
    // The logs go with the temporary directory: what the servers said is shown before.
    for (const child of children) printLogTail(child.logFile);
    throw error;
  } finally {
    for (const child of children.reverse()) await child.stop();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printLogTail(file: string, lines = 15): void {
  if (!existsSync(file)) return;
  const tail = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
  console.error(`--- last ${tail.length} lines of ${path.basename(file)}\n${tail.join('\n')}`);
}

type ProcessTrees = Record<string, number | undefined>;

/** CPU seconds so far by process tree, and the bench's own process (the wallet side). */
function cpuSnapshot(trees: ProcessTrees): Record<string, number> {
  const own = process.cpuUsage();
  return { ...cpuSecondsByTree(trees), 'bench client': (own.user + own.system) / 1e6 };
}

/** ms of CPU per session by process tree between two snapshots. */
function cpuPerSession(before: Record<string, number>, after: Record<string, number>, count: number): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, seconds]) => [name, ((seconds - (before[name] ?? 0)) * 1000) / count]));
}

function printCpuPerSession(rows: readonly { name: string; cpu: Record<string, number> }[], per = 'session'): void {
  console.log(`\nCPU per ${per} (ms), by process tree:`);
  const names = Object.keys(rows[0]?.cpu ?? {});
  console.log(`${'target'.padEnd(15)} ${names.map((n) => n.padStart(12)).join(' ')}        total`);
  for (const { name, cpu } of rows) {
    const total = Object.values(cpu).reduce((a, b) => a + b, 0);
    console.log(`${name.padEnd(15)} ${names.map((n) => (cpu[n] ?? 0).toFixed(1).padStart(12)).join(' ')} ${total.toFixed(1).padStart(12)}`);
  }
}

/** initiate→status sessions against the Issuer API, then the baseline. */
async function runVerificationScenario(targets: readonly Target[], key: WalletSigningKey, trees: ProcessTrees, backend: string): Promise<void> {
  const results = [];
  const cpu: Record<string, number>[] = [];
  let breakdown = new Map<string, Record<string, number>[]>();
  for (const target of targets) {
    say(`${target.name}: warm-up (${warmup} sessions)`);
    await runLoad(target, key, warmup);
    say(`${target.name}: ${sessions} initiate→status sessions, concurrency ${concurrency}`);
    phasesByRoute.clear();
    const before = cpuSnapshot(trees);
    results.push(summarize(target.name, await runLoad(target, key, sessions)));
    if (phasesByRoute.size > 0 && target === targets[0]) breakdown = new Map(phasesByRoute);
    cpu.push(cpuPerSession(before, cpuSnapshot(trees), sessions));
    target.agent.destroy();
  }

  console.log(`\ninitiate→status, ${sessions} sessions, concurrency ${concurrency}, FerretDB on ${backend}, ${os.cpus().length} CPUs, Node ${process.version}`);
  console.log('target          sessions/s  session p50  session p99  initiate p50  initiate p99  status p50  status p99');
  for (const r of results) {
    console.log(
      `${r.name.padEnd(15)} ${r.sessionsPerSecond.toFixed(1).padStart(10)}  ${ms(r.session.p50).padStart(11)}  ${ms(r.session.p99).padStart(11)}  ${ms(r.initiate.p50).padStart(12)}  ${ms(r.initiate.p99).padStart(12)}  ${ms(r.status.p50).padStart(10)}  ${ms(r.status.p99).padStart(10)}`,
    );
  }
  const [issuer, bare] = results;
  if (issuer && bare) {
    printCpuPerSession(results.map((r, i) => ({ name: r.name, cpu: cpu[i] ?? {} })));
    console.log(`\nIssuer API per request (Server-Timing), mean ms per phase:`);
    printServerTiming(breakdown);
    console.log(
      `\nratio issuer/baseline: throughput ${(issuer.sessionsPerSecond / bare.sessionsPerSecond).toFixed(2)}x, session p50 ${(issuer.session.p50 / bare.session.p50).toFixed(2)}x, session p99 ${(issuer.session.p99 / bare.session.p99).toFixed(2)}x`,
    );
  }
}

/** The credential endpoints the issuance scenario calls (S2S §Credential Endpoints, profile §25). */
const issuanceEndpoints = ['/credential/provision', '/credential/nonce', '/credential/get'];

/**
 * The full-issuance scenario (bench/issuance-scenario.ts) against the Issuer API and the
 * baseline. Each issuer session redeems its own Credential Offer to the fake holder
 * BENCH_ISSUANCE_HOLDER, made beforehand through the admin listener with the back-office
 * credential. While the Issuer API does not serve the credential endpoints, only the baseline is
 * measured.
 */
async function runIssuanceScenario(options: {
  targets: [Target, Target];
  key: WalletSigningKey;
  trees: ProcessTrees;
  offers: { adminUrl: string; caPem: string; backOfficeToken: string };
  /** Where the back office and the public status lists are, for the status-change measurement. */
  statusChanges: { tenantId: string; statusListBaseUrl: string; publicStatusListUrl: string; ttlSeconds: number };
}): Promise<void> {
  const [issuerTarget, baselineTarget] = options.targets;
  const metadata = await getFromIssuer(`${issuerTarget.url}/.well-known/openid-credential-issuer-s2s`, { agent: issuerTarget.agent });
  const issuerKey = (metadata.issuer_encryption_jwks as { keys: HpkeJwk[] }).keys[0] as HpkeJwk;
  const served = issuanceEndpoints.filter((endpoint) => (metadata.endpoints_supported as string[]).includes(endpoint));
  const offers = createCredentialOffers({ ...options.offers, holderAccountId: issuanceHolder, credentialConfigurationIds: [issuanceConfiguration] });
  const firstOffer = await offers.createOne();
  // OpenID4VCI §12.2.4: credential_issuer of the metadata; the offer names the same identifier (§4.1.1).
  const credentialIssuer = (metadata.credential_issuer as string | undefined) ?? firstOffer.credentialIssuer;
  const codes = [firstOffer.code];
  const prepareCodes = async (count: number) => {
    say(`issuer API: ${count} Credential Offers for ${issuanceHolder} through the admin listener (not measured)`);
    while (codes.length < count) {
      const batch = await Promise.all(Array.from({ length: Math.min(8, count - codes.length) }, () => offers.createOne()));
      codes.push(...batch.map((offer) => offer.code));
    }
  };
  const wallet = { key: options.key, issuerKey, credentialIssuer, configurationId: issuanceConfiguration, batchSize: issuanceBatch };
  const wallets = new Map<Target, IssuanceWallet>([
    [
      issuerTarget,
      {
        ...wallet,
        openAnswers: true,
        preAuthorizedCode: async () => {
          const code = codes.shift();
          if (!code) throw new Error('no Credential Offer left');
          return code;
        },
      },
    ],
    // The baseline checks nothing: the same item, with a code that names nothing.
    [baselineTarget, { ...wallet, openAnswers: false, preAuthorizedCode: async () => 'baseline-code' }],
  ]);
  const measured: Target[] = served.length === issuanceEndpoints.length ? [issuerTarget, baselineTarget] : [baselineTarget];
  if (measured.length === 1) {
    say(`issuer API does not serve ${issuanceEndpoints.filter((e) => !served.includes(e)).join(', ')} yet: measuring the baseline only`);
  }

  const warm = Math.min(10, issuanceSessions);
  const results: IssuanceSummary[] = [];
  const cpu: { name: string; cpu: Record<string, number> }[] = [];
  let breakdown = new Map<string, Record<string, number>[]>();
  for (const target of measured) {
    const targetWallet = wallets.get(target) as IssuanceWallet;
    if (target === issuerTarget) await prepareCodes(warm + issuanceSessions);
    say(`${target.name}: issuance warm-up (${warm} sessions)`);
    await runIssuanceLoad(target, targetWallet, warm, issuanceConcurrency);
    say(`${target.name}: ${issuanceSessions} issuance sessions (batch of ${issuanceBatch} × ${issuanceConfiguration}), concurrency ${issuanceConcurrency}`);
    phasesByRoute.clear();
    const before = cpuSnapshot(options.trees);
    const load = await runIssuanceLoad(target, targetWallet, issuanceSessions, issuanceConcurrency, (done, count) =>
      say(`  ${target.name}: ${done}/${count} sessions`),
    );
    cpu.push({ name: target.name, cpu: cpuPerSession(before, cpuSnapshot(options.trees), issuanceSessions) });
    if (target === issuerTarget) breakdown = new Map(phasesByRoute);
    results.push(summarizeIssuance(target.name, load));
  }
  let statusChanges: StatusChangeSummary | undefined;
  let statusChangeCpu: Record<string, number> | undefined;
  if (statusChangeCount > 0 && measured.includes(issuerTarget)) {
    await prepareCodes(statusChangeCount);
    say(`issuer API: ${statusChangeCount} credentials issued for the status-change measurement (not measured), then suspended one at a time`);
    const issuerWallet = { ...(wallets.get(issuerTarget) as IssuanceWallet), batchSize: 1 };
    const issued = [];
    for (let i = 0; i < statusChangeCount; i += 1) {
      const result = await runIssuanceSession(issuerTarget, issuerWallet);
      issued.push({ credentialInstanceId: result.credentialInstanceId, credential: result.credentials[0] as string });
    }
    // CPU of the whole change: the back-office call, the workflow's Update, the status list write,
    // telling the Wallet Server, and the reads of the published list until the bit shows.
    const before = cpuSnapshot(options.trees);
    statusChanges = await measureStatusChanges({ ...options.offers, ...options.statusChanges }, issued);
    statusChangeCpu = cpuPerSession(before, cpuSnapshot(options.trees), statusChangeCount);
  }
  offers.close();
  for (const target of options.targets) target.agent.destroy();

  console.log(
    `\nfull issuance (initiate with an offer's code → APPROVED → provision → nonce → get of ${issuanceBatch} × ${issuanceConfiguration}), ${issuanceSessions} sessions, concurrency ${issuanceConcurrency}`,
  );
  printIssuanceSummaries(results);
  printCpuPerSession(cpu);
  if (breakdown.size > 0) {
    console.log(`\nIssuer API per request (Server-Timing), mean ms per phase:`);
    printServerTiming(breakdown);
  }
  if (statusChanges) printStatusChanges(statusChanges, options.statusChanges.ttlSeconds);
  if (statusChangeCpu) printCpuPerSession([{ name: 'issuer API', cpu: statusChangeCpu }], 'status change');
  const [issuer, bare] = results.length === 2 ? results : [undefined, results[0]];
  if (issuer && bare) {
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
    console.log(
      `\nratio issuer/baseline: throughput ${ratio(issuer.sessionsPerSecond, bare.sessionsPerSecond)}, session p50 ${ratio(issuer.latency.session.p50, bare.latency.session.p50)}, ` +
        `get p50 ${ratio(issuer.latency.get.p50, bare.latency.get.p50)}, get p99 ${ratio(issuer.latency.get.p99, bare.latency.get.p99)}`,
    );
  }
}

/**
 * The quota scenario: rounds of the measured Wallet Server's load alone, then with the flood, so
 * that drift of a shared machine affects both sides alike; medians and p95 over all rounds.
 */
async function runQuotaScenario(options: {
  url: string;
  agentOptions: https.AgentOptions;
  flooder: Omit<FloodProcessConfig, 'url' | 'requestsPerSecond' | 'maxInFlight' | 'connections'>;
  key: WalletSigningKey;
  /** The API process, whose CPU the flood costs is reported. */
  apiPid: number | undefined;
}) {
  const target: Target = { name: 'issuer API', url: options.url, agent: new https.Agent({ ...options.agentOptions, maxSockets: quotaConcurrency }) };
  say(
    `quota scenario: ${quotaRounds} rounds of ${quotaSessions} sessions (concurrency ${quotaConcurrency}) alone and under a flood of ${floodRate} req/s against a quota of ${floodQuota} req/s`,
  );
  await runLoad(target, options.key, warmup, quotaConcurrency);
  const alone: Sample[] = [];
  const flooded: Sample[] = [];
  const floods: FloodCounts[] = [];
  const apiCpu = { alone: 0, aloneSeconds: 0, flooded: 0, floodedSeconds: 0 };
  const apiCpuSeconds = () => cpuSecondsByTree({ api: options.apiPid }).api ?? 0;
  for (let round = 0; round < quotaRounds; round += 1) {
    let cpuBefore = apiCpuSeconds();
    const quiet = await runLoad(target, options.key, quotaSessions, quotaConcurrency);
    alone.push(...quiet.samples);
    apiCpu.alone += apiCpuSeconds() - cpuBefore;
    apiCpu.aloneSeconds += quiet.seconds;
    const flood = await startFloodProcess({ ...options.flooder, url: options.url, requestsPerSecond: floodRate, maxInFlight: 32, connections: 2 });
    // The flood is under way before the measured load starts.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    cpuBefore = apiCpuSeconds();
    const loud = await runLoad(target, options.key, quotaSessions, quotaConcurrency);
    flooded.push(...loud.samples);
    apiCpu.flooded += apiCpuSeconds() - cpuBefore;
    apiCpu.floodedSeconds += loud.seconds;
    floods.push(await flood.stop());
    say(`  round ${round + 1}: flooder sent ${floods.at(-1)?.sent}, 429 ${floods.at(-1)?.refused}`);
  }
  target.agent.destroy();

  const total = (field: keyof FloodCounts) => floods.reduce((sum, f) => sum + (f[field] as number), 0);
  const seconds = total('seconds');
  const ms = (v: number) => `${v.toFixed(1)} ms`.padStart(10);
  console.log(
    `\nquota scenario (profile §Quotas), ${alone.length} + ${flooded.length} sessions of the measured Wallet Server, concurrency ${quotaConcurrency}`,
  );
  console.log(
    `flooder: ${total('sent')} requests in ${seconds.toFixed(1)} s (${(total('sent') / seconds).toFixed(0)}/s against a quota of ${floodQuota}/s): ` +
      `${total('refused')} answered 429 (Retry-After ${retryAfterRange(floods.flatMap((f) => f.retryAfter))} s), ${total('executed')} answered otherwise (within its rate)`,
  );
  const share = (cpu: number, seconds: number) => `${((cpu / seconds) * 100).toFixed(0)} %`;
  console.log(
    `CPU (of one core): API ${share(apiCpu.alone, apiCpu.aloneSeconds)} alone, ${share(apiCpu.flooded, apiCpu.floodedSeconds)} during the flood; the flooding client ${share(total('cpuSeconds'), seconds)}`,
  );
  console.log('measured Wallet Server   session p50  session p95  initiate p50  initiate p95  status p50  status p95');
  const row = (name: string, samples: Sample[]) => {
    const of = (field: keyof Sample) => samples.map((s) => s[field]);
    console.log(
      `${name.padEnd(24)} ${ms(percentile(of('session'), 50))}   ${ms(percentile(of('session'), 95))}   ${ms(percentile(of('initiate'), 50))}    ${ms(percentile(of('initiate'), 95))}  ${ms(percentile(of('status'), 50))}  ${ms(percentile(of('status'), 95))}`,
    );
  };
  row('alone', alone);
  row('during the flood', flooded);
  const ratio = (p: number) =>
    percentile(
      flooded.map((s) => s.session),
      p,
    ) /
    percentile(
      alone.map((s) => s.session),
      p,
    );
  console.log(`session latency during the flood / alone: p50 ${ratio(50).toFixed(2)}x, p95 ${ratio(95).toFixed(2)}x (target: p50 within 1.10x)`);
}

function retryAfterRange(values: string[]): string {
  const seconds = values.map(Number).sort((a, b) => a - b);
  return seconds.length === 0 ? '-' : seconds[0] === seconds.at(-1) ? String(seconds[0]) : `${seconds[0]}–${seconds.at(-1)}`;
}

/** The flood runs in a process of its own (bench/flood.ts), as a separate Wallet Server would. */
async function startFloodProcess(config: FloodProcessConfig): Promise<{ stop(): Promise<FloodCounts> }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'flood.js')], {
    env: { ...process.env, BENCH_FLOOD_CONFIG: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // A real flooding Wallet Server runs on its own machine: here its client work takes the lowest
  // CPU priority, so what is measured is what answering the flood costs the issuer, not what
  // producing it costs a 2-core machine that runs both.
  if (child.pid !== undefined) os.setPriority(child.pid, 19);
  let output = '';
  const failed = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`flood process exited with ${code}`))));
  failed.catch(() => undefined);
  await Promise.race([
    failed,
    new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('started\n')) resolve();
      }),
    ),
  ]);
  return {
    async stop() {
      const cpuSeconds = cpuSecondsByTree({ flood: child.pid }).flood ?? 0;
      child.removeAllListeners('exit');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
      const counts = JSON.parse(output.split('\n').filter(Boolean).at(-1) ?? '{}') as FloodCounts;
      return { ...counts, cpuSeconds };
    },
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
