import { randomInt, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { connectTemporalClient } from '../clients/temporal/connection';
import { loadIssuerKeyMaterial } from '../crypto/key-material';
import { loadConfig } from '../config/config';
import { createPayloadCodec } from '../crypto/temporal-payload-codec';
import { devApproveType } from '../domain/verification-types/development';
import { isTerminal, type VerificationState } from '../domain/verification-state';
import { parseVerificationWorkflowId } from '../domain/workflow-ids';
import { freePort } from '../dev/processes';
import { startLocalStack, type LocalStack, type StackProcessName, type StackWallet } from '../dev/local-stack';
import { connectMongo } from '../store/mongo';
import { postToIssuer, type IssuerAnswer } from '../wallet/issuer-request';
import { startNotificationReceiver, type NotificationReceiver } from '../wallet/notification-receiver';
import { createInitiateRequest, generateWalletSigningKey, type WalletSigningKey } from '../wallet/wallet-client-instance';

/**
 * `npm run chaos`: proves that the Issuer Server loses, duplicates and wedges nothing when its
 * processes die. It starts its own stack (dev/local-stack.ts), runs a closed-loop load of
 * initiate→status sessions over mTLS for two Wallet Servers — one healthy, one whose
 * notification endpoint is down — first without faults, then while the worker, the API, the
 * database (FerretDB and PostgreSQL) and the Temporal server are killed with SIGKILL at random
 * moments and restarted. Then it checks every session: it reached the status it should (the
 * load's data approves), has exactly one workflow, and (healthy tenant) was notified. The last
 * line is `chaos: N sessions, L lost, D duplicated, W wedged`; the exit code is 0 only if all
 * three are 0 and every healthy session was notified.
 *
 * CHAOS_SESSIONS (default 300; the chaos run goes on until each kind of process was killed
 * CHAOS_ROUNDS times, default 2) and CHAOS_CONCURRENCY (8) set the load, CHAOS_KILL_EVERY_MS
 * (default 4000) the mean time between kills, CHAOS_SETTLE_MS (120000) how long sessions may
 * take to finish after the faults end.
 */
const sessions = Number(process.env.CHAOS_SESSIONS ?? 300);
const concurrency = Number(process.env.CHAOS_CONCURRENCY ?? 8);
const killEveryMs = Number(process.env.CHAOS_KILL_EVERY_MS ?? 4000);
const settleMs = Number(process.env.CHAOS_SETTLE_MS ?? 120_000);
/** How many times each kind of process is killed (at least) during the chaos run. */
const rounds = Number(process.env.CHAOS_ROUNDS ?? 2);
/** How long one wallet keeps retrying a request before it gives up: "wedged" if it never succeeds. */
const requestDeadlineMs = Number(process.env.CHAOS_REQUEST_DEADLINE_MS ?? 120_000);
const say = (line: string) => console.log(`[chaos] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type TenantRole = 'healthy' | 'down';

interface WalletTarget {
  role: TenantRole;
  wallet: StackWallet;
  agent: https.Agent;
  key: WalletSigningKey;
}

interface SessionOutcome {
  role: TenantRole;
  sessionId: string;
  verificationId?: string;
  status?: string;
  /** Why the wallet could not make progress, if it could not. */
  wedged?: string;
  startedAt: number;
  finishedAt?: number;
}

type Answer = IssuerAnswer;

function post(stack: LocalStack, target: WalletTarget, route: string, body: unknown, requestId: string): Promise<Answer> {
  return postToIssuer(`${stack.apiUrl}${route}`, body, { agent: target.agent, requestId, timeoutMs: 30_000 });
}

/** Answers a Wallet Server retries with the same x-request-id (S2S §Rate Limiting, §Idempotency). */
function isTransient(answer: Answer | undefined): boolean {
  if (!answer) return true; // no answer at all: connection refused or reset
  return answer.status >= 500 || answer.status === 429 || answer.json.type === 'urn:s2s-issuer:problem:request-in-progress';
}

/**
 * One request as a careful Wallet Server sends it: repeated with the same x-request-id and body
 * until it gets a final answer (2xx or a 4xx that is not "in progress"), with backoff.
 */
async function send(stack: LocalStack, target: WalletTarget, route: string, body: unknown, deadline: number): Promise<Answer | undefined> {
  const requestId = randomUUID();
  for (let attempt = 0; ; attempt += 1) {
    const answer = await post(stack, target, route, body, requestId).catch(() => undefined);
    if (!isTransient(answer)) return answer;
    if (Date.now() > deadline) return answer;
    await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 4)) + randomInt(0, 200));
  }
}

async function runSession(stack: LocalStack, target: WalletTarget): Promise<SessionOutcome> {
  const body = await createInitiateRequest({
    key: target.key,
    credentialConfigurationIds: ['org.iso.18013.5.1.mDL'],
    verificationData: { serverVerificationDataItem: [{ id: 'chaos', type: devApproveType }] },
  });
  const outcome: SessionOutcome = { role: target.role, sessionId: body.sessionId, startedAt: performance.now() };
  const deadline = Date.now() + requestDeadlineMs;
  const initiated = await send(stack, target, '/verification/initiate', body, deadline);
  if (initiated?.status !== 200) {
    outcome.wedged = `initiate: ${initiated ? `${initiated.status} ${String(initiated.json.type)}` : 'no answer'}`;
    return outcome;
  }
  outcome.verificationId = initiated.json.verificationId as string;
  outcome.status = initiated.json.status as string;
  await pollUntilFinal(stack, target, outcome, deadline);
  return outcome;
}

/** Polls /verification/status (S2S §Asynchronous Endpoints) until the status is final or the deadline passes. */
async function pollUntilFinal(stack: LocalStack, target: WalletTarget, outcome: SessionOutcome, deadline: number): Promise<void> {
  while (!isTerminal(outcome.status as VerificationState) && Date.now() < deadline) {
    await sleep(100);
    const polled = await send(stack, target, '/verification/status', { sessionId: outcome.sessionId, verificationId: outcome.verificationId }, deadline);
    if (polled?.status === 200) outcome.status = polled.json.status as string;
    else if (polled && !isTransient(polled)) {
      outcome.wedged = `status: ${polled.status} ${String(polled.json.type)}`;
      return;
    }
  }
  if (isTerminal(outcome.status as VerificationState)) outcome.finishedAt = performance.now();
}

/** `count` sessions, and more for as long as `keepGoing` says (so every planned fault meets traffic). */
async function runLoad(
  stack: LocalStack,
  targets: WalletTarget[],
  count: number,
  keepGoing: () => boolean = () => false,
): Promise<{ outcomes: SessionOutcome[]; startedAt: number }> {
  const outcomes: SessionOutcome[] = [];
  const startedAt = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count || keepGoing()) {
        const target = targets[next % targets.length] as WalletTarget;
        next += 1;
        outcomes.push(await runSession(stack, target));
      }
    }),
  );
  return { outcomes, startedAt };
}

/** Kills a random process every ~killEveryMs (each kind in turn, in random order) and restarts it. */
function startMonkey(stack: LocalStack, victims: StackProcessName[]) {
  let stopped = false;
  const kills: { victim: StackProcessName; downMs: number }[] = [];
  const running = (async () => {
    let order: StackProcessName[] = [];
    while (!stopped) {
      await sleep(randomInt(Math.floor(killEveryMs / 2), Math.floor((killEveryMs * 3) / 2)));
      if (stopped) break;
      if (order.length === 0) order = [...victims].sort(() => randomInt(0, 3) - 1);
      const victim = order.shift() as StackProcessName;
      const killedAt = performance.now();
      await stack.kill(victim);
      await sleep(randomInt(200, 1500));
      await stack.restart(victim);
      kills.push({ victim, downMs: performance.now() - killedAt });
      say(`killed ${victim} (SIGKILL), restarted after ${Math.round(performance.now() - killedAt)} ms`);
    }
  })();
  return {
    kills,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

function healthyThroughput({ outcomes, startedAt }: { outcomes: SessionOutcome[]; startedAt: number }): number {
  const healthy = outcomes.filter((o) => o.role === 'healthy' && o.finishedAt !== undefined);
  const lastFinish = Math.max(...healthy.map((o) => o.finishedAt as number));
  return healthy.length / ((lastFinish - startedAt) / 1000);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 's2s-chaos-'));
  // PostgreSQL may run as an unprivileged user (when we are root): it must be able to enter.
  chmodSync(dir, 0o711);
  let stack: LocalStack | undefined;
  let receiver: NotificationReceiver | undefined;
  let failed = true;
  try {
    say(`starting the stack in ${dir}`);
    stack = await startLocalStack({
      dir,
      env: {
        // Short enough that a run sees takeovers and reconciliation repairs, not only retries.
        S2S_IDEMPOTENCY_LEASE_MS: '2000',
        S2S_RECONCILE_INTERVAL_MS: '5000',
        S2S_RECONCILE_LAPSED_GRACE_MS: '3000',
        S2S_RECONCILE_NOTIFY_AFTER_MS: '5000',
      },
    });
    receiver = await startNotificationReceiver({
      certificatePem: readFileSync(stack.material.walletTlsCert, 'utf8'),
      privateKeyPem: readFileSync(stack.material.walletTlsKey, 'utf8'),
      clientCaPem: readFileSync(stack.material.caCert, 'utf8'),
    });
    // Nothing listens on this port: every notification to the down tenant is refused.
    const downUrl = `https://127.0.0.1:${await freePort()}/s2s`;
    const wallets = {
      healthy: await stack.registerWallet('chaos healthy wallet', `${receiver.url}/s2s`),
      down: await stack.registerWallet('chaos wallet that is down', downUrl),
    };
    const ca = readFileSync(stack.material.caCert);
    const targets: WalletTarget[] = [];
    for (const role of ['healthy', 'down'] as const) {
      const wallet = wallets[role];
      targets.push({
        role,
        wallet,
        key: await generateWalletSigningKey(),
        agent: new https.Agent({ keepAlive: true, maxSockets: concurrency, ca, cert: wallet.certificatePem, key: wallet.privateKeyPem }),
      });
    }

    say(`no-fault run: ${sessions} sessions, concurrency ${concurrency}, half of them for the tenant whose Wallet Server is down`);
    const calm = await runLoad(stack, targets, sessions);
    const victims: StackProcessName[] = ['worker', 'api', 'ferretdb', 'temporal', ...(stack.database.postgres ? (['postgres'] as const) : [])];
    say(`chaos run: the same load while ${victims.join(', ')} are killed about every ${killEveryMs} ms (each at least ${rounds} times)`);
    const monkey = startMonkey(stack, victims);
    // The load goes on until every kind of process was killed `rounds` times.
    const chaos = await runLoad(stack, targets, sessions, () => victims.some((v) => monkey.kills.filter((k) => k.victim === v).length < rounds));
    await monkey.stop();

    // After the faults: sessions still open get time to finish (retries, timers, reconciliation).
    const open = [...calm.outcomes, ...chaos.outcomes].filter((o) => !o.wedged && o.verificationId && !isTerminal(o.status as VerificationState));
    say(`faults over (${monkey.kills.length} kills); ${open.length} sessions still open, letting them settle (up to ${settleMs / 1000} s)`);
    const settleDeadline = Date.now() + settleMs;
    await Promise.all(open.map((o) => pollUntilFinal(stack as LocalStack, targets.find((t) => t.role === o.role) as WalletTarget, o, settleDeadline)));
    // Notifications whose attempt died with a process resume once the attempt times out (up to a
    // minute later), or come from reconciliation; a healthy Wallet Server must get every one.
    const finalNotified = () =>
      new Set(
        (receiver as NotificationReceiver).received.filter((n) => isTerminal(n.body.status as VerificationState)).map((n) => n.body.verificationId as string),
      );
    const healthyIds = [...calm.outcomes, ...chaos.outcomes].filter((o) => o.role === 'healthy' && o.verificationId).map((o) => o.verificationId as string);
    while (Date.now() < settleDeadline && healthyIds.some((id) => !finalNotified().has(id))) await sleep(500);

    // Exactly one workflow per session, by Temporal's own list, and one verification per session document.
    const config = loadConfig(stack.env);
    const temporal = await connectTemporalClient(config.temporal, createPayloadCodec(loadIssuerKeyMaterial(config).dataKeyring));
    const workflowsPerSession = new Map<string, number>();
    // Every run of every verification workflow, to name what a duplicated session consists of.
    const runsPerSession = new Map<string, string[]>();
    for await (const execution of temporal.client.workflow.list({ query: `WorkflowType = 'verificationWorkflow'` })) {
      const ref = parseVerificationWorkflowId(execution.workflowId);
      if (!ref) continue;
      workflowsPerSession.set(ref.sessionId, (workflowsPerSession.get(ref.sessionId) ?? 0) + 1);
      runsPerSession.set(ref.sessionId, [
        ...(runsPerSession.get(ref.sessionId) ?? []),
        `${ref.verificationId} run ${execution.runId} ${execution.status.name} started ${execution.startTime.toISOString()}`,
      ]);
    }
    await temporal.connection.close();
    const { client: mongo, db } = await connectMongo(stack.mongoUri, 's2s_issuer');
    const verificationsPerSession = new Map<string, number>();
    for (const doc of await db
      .collection('verification_sessions')
      .find({}, { projection: { sessionId: 1, verifications: 1 } })
      .toArray()) {
      verificationsPerSession.set(doc.sessionId as string, Object.keys(doc.verifications as object).length);
    }
    const downUnacknowledged = await db
      .collection('verification_sessions')
      .countDocuments({ tenantId: wallets.down.tenant._id, notificationAbandonedAt: { $exists: true } });
    const repairs = await db
      .collection('reconciliation_repairs')
      .aggregate<{ _id: string; count: number }>([{ $group: { _id: '$kind', count: { $sum: 1 } } }])
      .toArray();
    await mongo.close();

    const notified = finalNotified();
    const check = (outcomes: SessionOutcome[]) => {
      const lost = outcomes.filter((o) => !o.wedged && !isTerminal(o.status as VerificationState));
      const wrong = outcomes.filter((o) => isTerminal(o.status as VerificationState) && o.status !== 'APPROVED');
      const duplicated = outcomes.filter((o) => (workflowsPerSession.get(o.sessionId) ?? 0) > 1 || (verificationsPerSession.get(o.sessionId) ?? 0) > 1);
      const missingWorkflow = outcomes.filter((o) => o.verificationId && (workflowsPerSession.get(o.sessionId) ?? 0) === 0);
      const wedged = outcomes.filter((o) => o.wedged);
      const unnotified = outcomes.filter((o) => o.role === 'healthy' && o.verificationId && !notified.has(o.verificationId));
      return { lost, wrong, duplicated, missingWorkflow, wedged, unnotified };
    };
    const calmCheck = check(calm.outcomes);
    const chaosCheck = check(chaos.outcomes);
    for (const [name, result] of [
      ['no-fault', calmCheck],
      ['chaos', chaosCheck],
    ] as const) {
      for (const o of result.wedged) say(`${name}: wedged session ${o.sessionId} (${o.role}): ${o.wedged}`);
      for (const o of result.lost) say(`${name}: lost session ${o.sessionId} (${o.role}): last status ${o.status}`);
      for (const o of result.wrong) say(`${name}: session ${o.sessionId} ended ${o.status}, not APPROVED`);
      for (const o of result.duplicated) {
        say(`${name}: duplicated session ${o.sessionId} (${o.role}): ${verificationsPerSession.get(o.sessionId) ?? 0} verification(s) in its document; runs:`);
        for (const run of runsPerSession.get(o.sessionId) ?? []) say(`  ${run}`);
      }
    }

    const killed = Object.entries(monkey.kills.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k.victim]: (acc[k.victim] ?? 0) + 1 }), {}));
    console.log(`
healthy tenant throughput: ${healthyThroughput(calm).toFixed(1)} sessions/s without faults, ${healthyThroughput(chaos).toFixed(1)} sessions/s under chaos
kills: ${killed.map(([victim, n]) => `${victim} ×${n}`).join(', ') || 'none'}
reconciliation repairs: ${repairs.map((r) => `${r._id} ×${r.count}`).join(', ') || 'none'}
no-fault run: ${sessions} sessions, ${calmCheck.lost.length} lost, ${calmCheck.duplicated.length} duplicated, ${calmCheck.wedged.length} wedged, ${calmCheck.wrong.length} not approved
healthy tenant notified of the final status: ${calm.outcomes.filter((o) => o.role === 'healthy').length - calmCheck.unnotified.length + chaos.outcomes.filter((o) => o.role === 'healthy').length - chaosCheck.unnotified.length} of ${[...calm.outcomes, ...chaos.outcomes].filter((o) => o.role === 'healthy').length}; sessions without a workflow: ${calmCheck.missingWorkflow.length + chaosCheck.missingWorkflow.length}
tenant whose Wallet Server is down: ${downUnacknowledged} sessions with notifications recorded as not acknowledged (for reconciliation to resend)`);
    console.log(
      `chaos: ${chaos.outcomes.length} sessions, ${chaosCheck.lost.length} lost, ${chaosCheck.duplicated.length} duplicated, ${chaosCheck.wedged.length} wedged`,
    );
    failed = [calmCheck, chaosCheck].some(
      (c) => c.lost.length + c.duplicated.length + c.wedged.length + c.wrong.length + c.unnotified.length + c.missingWorkflow.length > 0,
    );
    for (const target of targets) target.agent.destroy();
  } finally {
    await stack?.stop();
    await receiver?.close();
    // A failed check keeps the stack's data and logs for the post-mortem.
    if (failed) say(`kept the stack's data and logs in ${dir}`);
    else if (!process.env.CHAOS_KEEP_DATA) rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
