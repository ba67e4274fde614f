import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { registerWalletServer } from '../cli/register-wallet-server';
import { connectMongo, ensureIndexes } from '../store/mongo';
import { createTenantRepository } from '../store/tenants';
import { devApproveType } from '../domain/verification-types/development';
import { ensureDevMaterial } from '../dev/dev-material';
import { developmentDatabaseBackend, startDevelopmentDatabase } from '../dev/development-database';
import { freePort, startProcess, startTemporalDevServer, waitForPort, type ManagedProcess } from '../dev/processes';
import { toolPaths } from '../dev/tools';
import { cpuSecondsByTree } from './process-cpu';
import { postToIssuer } from '../wallet/issuer-request';
import { startNotificationReceiver, type NotificationReceiver } from '../wallet/notification-receiver';
import { createInitiateRequest, generateWalletSigningKey, type WalletSigningKey } from '../wallet/wallet-client-instance';

/**
 * `npm run bench`: initiate→status sessions per second, with p50/p99 latencies, for the Issuer
 * API and for a bare baseline of the same Temporal shape, on a stack this script starts itself
 * (Temporal dev server, the development database, worker and API as separate processes, like
 * `npm start`). BENCH_SESSIONS and BENCH_CONCURRENCY set the load; S2S_DEV_DATABASE=sqlite
 * measures FerretDB on SQLite instead of PostgreSQL.
 */
const sessions = Number(process.env.BENCH_SESSIONS ?? 400);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const warmup = Math.min(40, sessions);
const say = (line: string) => console.log(`[bench] ${line}`);

interface Target {
  name: string;
  url: string;
  agent: https.Agent;
}

/** Server-Timing phases (api/server-timing.ts) of every issuer response, by endpoint. */
const phasesByRoute = new Map<string, Record<string, number>[]>();

function recordServerTiming(route: string, header: string | undefined): void {
  if (!header) return;
  const phases: Record<string, number> = {};
  for (const entry of header.split(',')) {
    const [name, ...params] = entry.trim().split(';');
    const duration = params.find((p) => p.startsWith('dur='));
    if (name && duration) phases[name] = Number(duration.slice(4));
  }
  phasesByRoute.set(route, [...(phasesByRoute.get(route) ?? []), phases]);
}

async function post(target: Target, route: string, body: unknown): Promise<{ status: number; json: { verificationId?: string; status?: string } }> {
  const answer = await postToIssuer(`${target.url}${route}`, body, { agent: target.agent, requestId: randomUUID() });
  recordServerTiming(route, answer.headers['server-timing'] as string | undefined);
  return answer;
}

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
  const initiated = await post(target, '/verification/initiate', body);
  const t1 = performance.now();
  if (initiated.status !== 200 || !['APPROVED', 'PENDING'].includes(initiated.json.status ?? '')) {
    throw new Error(`${target.name} initiate answered ${initiated.status} ${JSON.stringify(initiated.json)}`);
  }
  // A Wallet Server polls until the decision is there (S2S §Asynchronous Endpoints).
  for (let polls = 0; ; polls += 1) {
    const polled = await post(target, '/verification/status', { sessionId: body.sessionId, verificationId: initiated.json.verificationId });
    if (polled.status !== 200) throw new Error(`${target.name} status answered ${polled.status}`);
    if (polled.json.status === 'APPROVED') break;
    if (polls > 200) throw new Error(`${target.name}: session not approved after ${polls} polls`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const t2 = performance.now();
  return { session: t2 - t0, initiate: t1 - t0, status: t2 - t1 };
}

async function runLoad(target: Target, key: WalletSigningKey, count: number): Promise<{ samples: Sample[]; seconds: number }> {
  const samples: Sample[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        samples.push(await runSession(target, key));
      }
    }),
  );
  return { samples, seconds: (performance.now() - started) / 1000 };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
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
    await registerWalletServer(
      {
        name: 'bench wallet',
        certificatePem: readFileSync(material.walletCert, 'utf8'),
        notificationBaseUrl: `${receiver.url}/s2s`,
        clientCaPem: readFileSync(material.caCert, 'utf8'),
      },
      createTenantRepository(db),
    );
    await client.close();

    const dist = path.resolve(__dirname, '..');
    children.push(startProcess('worker', process.execPath, [path.join(dist, 'workers/main.js')], { logDir, env }));
    const api = startProcess('api', process.execPath, [path.join(dist, 'api/main.js')], { logDir, env });
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
    const targets: Target[] = [
      { name: 'issuer API', url: `https://127.0.0.1:${apiPort}`, agent: new https.Agent(agentOptions) },
      { name: 'bare baseline', url: `https://127.0.0.1:${baselinePort}`, agent: new https.Agent(agentOptions) },
    ];
    const key = await generateWalletSigningKey();
    const results = [];
    // CPU by component: on a small machine every process competes for the same cores.
    const trees = {
      api: api.child.pid,
      worker: children.find((c) => c.name === 'worker')?.child.pid,
      baseline: baseline.child.pid,
      temporal: children.find((c) => c.name === 'temporal')?.child.pid,
      ferretdb: database.ferretdb.child.pid,
      postgres: database.postgres?.child.pid,
    };
    const cpu: Record<string, number>[] = [];
    let breakdown = new Map<string, Record<string, number>[]>();
    for (const target of targets) {
      say(`${target.name}: warm-up (${warmup} sessions)`);
      await runLoad(target, key, warmup);
      say(`${target.name}: ${sessions} initiate→status sessions, concurrency ${concurrency}`);
      phasesByRoute.clear();
      const before = { ...cpuSecondsByTree(trees), 'bench client': process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 };
      results.push(summarize(target.name, await runLoad(target, key, sessions)));
      if (phasesByRoute.size > 0) breakdown = new Map(phasesByRoute);
      const after = { ...cpuSecondsByTree(trees), 'bench client': process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 };
      cpu.push(
        Object.fromEntries(Object.entries(after).map(([name, seconds]) => [name, ((seconds - (before[name as keyof typeof before] ?? 0)) * 1000) / sessions])),
      );
      target.agent.destroy();
    }

    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(
      `\ninitiate→status, ${sessions} sessions, concurrency ${concurrency}, FerretDB on ${backend}, ${os.cpus().length} CPUs, Node ${process.version}`,
    );
    console.log('target          sessions/s  session p50  session p99  initiate p50  initiate p99  status p50  status p99');
    for (const r of results) {
      console.log(
        `${r.name.padEnd(15)} ${r.sessionsPerSecond.toFixed(1).padStart(10)}  ${ms(r.session.p50).padStart(11)}  ${ms(r.session.p99).padStart(11)}  ${ms(r.initiate.p50).padStart(12)}  ${ms(r.initiate.p99).padStart(12)}  ${ms(r.status.p50).padStart(10)}  ${ms(r.status.p99).padStart(10)}`,
      );
    }
    const [issuer, bare] = results;
    if (issuer && bare) {
      console.log(`\nCPU per session (ms), by process tree:`);
      const names = Object.keys(cpu[0] ?? {});
      console.log(`${'target'.padEnd(15)} ${names.map((n) => n.padStart(12)).join(' ')}        total`);
      results.forEach((r, i) => {
        const row = cpu[i] ?? {};
        const total = Object.values(row).reduce((a, b) => a + b, 0);
        console.log(`${r.name.padEnd(15)} ${names.map((n) => (row[n] ?? 0).toFixed(1).padStart(12)).join(' ')} ${total.toFixed(1).padStart(12)}`);
      });
      console.log(`\nIssuer API per request (Server-Timing), mean ms per phase:`);
      for (const [route, samples] of breakdown) {
        const names = [...new Set(samples.flatMap((sample) => Object.keys(sample)))];
        const mean = (name: string) => samples.reduce((sum, sample) => sum + (sample[name] ?? 0), 0) / samples.length;
        console.log(`  ${route.padEnd(24)} ${names.map((name) => `${name} ${mean(name).toFixed(1)}`).join(' · ')}  (${samples.length} requests)`);
      }
      console.log(
        `\nratio issuer/baseline: throughput ${(issuer.sessionsPerSecond / bare.sessionsPerSecond).toFixed(2)}x, session p50 ${(issuer.session.p50 / bare.session.p50).toFixed(2)}x, session p99 ${(issuer.session.p99 / bare.session.p99).toFixed(2)}x`,
      );
    }
  } finally {
    for (const child of children.reverse()) await child.stop();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
