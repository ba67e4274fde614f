import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { seedFakeHolders } from '../../dev/fake-holders';
import { loadIssuerKeyMaterial } from '../../crypto/key-material';
import { registerReviewQueueGauges } from '../../observability/metrics';
import { startOpsServer, type OpsServer } from '../../observability/ops-server';
import { createReviewCaseRepository } from '../../store/review-cases';
import { credentialFlow } from '../support/credential-flow';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { pollUntil } from '../support/polling';

/**
 * The numbers an operator scrapes (observability/metrics.ts) and the probes a load balancer
 * asks (/healthz, /readyz on every listener), on the real stack: what happens shows in the
 * metrics, and no label carries a session, verification or instance id.
 */
const pid = 'eu.europa.ec.eudi.pid.1';
let h: IssuerHarness;
let ops: OpsServer;
beforeAll(async () => {
  h = await startIssuerHarness();
  await seedFakeHolders(h.db, loadIssuerKeyMaterial(h.config).dataKeyring);
  registerReviewQueueGauges(() => createReviewCaseRepository(h.db).queueSummary());
  ops = await startOpsServer({ host: '127.0.0.1', port: 0, probes: h.deps.probes, logger: pino({ level: 'silent' }) });
}, 120_000);
afterAll(async () => {
  await ops?.close();
  await h?.close();
});

async function scrape(): Promise<string> {
  const answer = await fetch(`http://127.0.0.1:${ops.port}/metrics`);
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toContain('text/plain');
  return answer.text();
}

/** The value of one series (name and exact labels as Prometheus prints them), 0 when absent. */
function valueOf(metrics: string, series: string): number {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const { post, approvedWallet, instanceOf, buildGet } = credentialFlow(() => h);

describe('health and readiness (every listener)', () => {
  it('answers /healthz and /readyz on the API (mTLS, before the tenant), on the admin listener (no credential) and on the operations port', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const api = await h.http.get(path, h.unregistered);
      expect(api.status).toBe(200);
      expect(api.headers['cache-control']).toBe('no-store');
      const admin = await h.admin('GET', path, undefined);
      expect(admin.status).toBe(200);
      const own = await fetch(`http://127.0.0.1:${ops.port}${path}`);
      expect(own.status).toBe(200);
    }
    expect((await h.http.get('/readyz', h.walletA)).json).toEqual({ status: 'ready', checks: { database: 'up', temporal: 'up' } });
  });

  it('is not ready, with a 503 Problem Details naming what is down, when a dependency does not answer in time', async () => {
    const stalled = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      probes: { ...h.deps.probes, temporal: () => new Promise(() => undefined) },
      logger: pino({ level: 'silent' }),
    });
    try {
      const answer = await fetch(`http://127.0.0.1:${stalled.port}/readyz`);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(await answer.json()).toMatchObject({ type: 'urn:s2s-issuer:problem:service-unavailable', detail: 'not ready: temporal did not answer' });
      expect((await fetch(`http://127.0.0.1:${stalled.port}/healthz`)).status).toBe(200);
    } finally {
      await stalled.close();
    }
  });
});

describe('Prometheus metrics', () => {
  it('counts requests by route and Problem type, issuance by format, lifecycle moves and outbound calls by tenant, without identifiers in labels', async () => {
    const before = await scrape();
    const wallet = await approvedWallet([pid]);
    const credentialInstanceId = await instanceOf(wallet, pid);
    const built = await buildGet(wallet, credentialInstanceId, { presentmentKeyCount: 2 });
    expect((await post('/credential/get', built.body)).status).toBe(200);
    // A refused request: its Problem type is a label.
    expect((await post('/verification/status', { sessionId: randomUUID(), verificationId: randomUUID() })).status).toBe(404);
    const tenant = h.walletA.tenant._id;
    await pollUntil(scrape, (metrics) => valueOf(metrics, `s2s_outbound_calls_total{call="/verification/notify",tenant="${tenant}",outcome="delivered"}`) > 0);
    const after = await scrape();

    const grew = (series: string) => valueOf(after, series) - valueOf(before, series);
    expect(grew('s2s_http_requests_total{listener="api",method="POST",route="/credential/get",status="200",problem=""}')).toBe(1);
    expect(grew('s2s_http_requests_total{listener="api",method="POST",route="/verification/status",status="404",problem="session-not-found"}')).toBe(1);
    expect(grew('s2s_http_request_duration_seconds_count{listener="api",method="POST",route="/credential/provision"}')).toBe(1);
    expect(grew(`s2s_credentials_issued_total{format="dc+sd-jwt",configuration="${pid}"}`)).toBe(2);
    expect(grew('s2s_credential_lifecycle_transitions_total{status="ACTIVE"}')).toBe(1);
    expect(grew('s2s_verification_decisions_total{status="APPROVED"}')).toBe(1);
    expect(after).toContain('s2s_review_queue_depth ');
    expect(after).toContain('process_cpu_seconds_total');
    // No session, verification or instance id, holder or code anywhere in the scrape.
    for (const identifier of [wallet.ids.sessionId, wallet.ids.verificationId, credentialInstanceId, 'test-holder-erika'])
      expect(after).not.toContain(identifier);
  });
});
