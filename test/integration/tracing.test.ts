import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { devApproveType } from '../../domain/verification-types/development';
import { startTracing, type Tracing } from '../../observability/tracing';
import { createInitiateRequest, generateWalletSigningKey } from '../../wallet/wallet-client-instance';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { pollUntil } from '../support/polling';
import { mdl } from '../support/wallet-requests';

/**
 * One trace from the Wallet Server's request through the VerificationWorkflow and its
 * activities to the notification sent back (observability/tracing.ts, the Temporal
 * OpenTelemetry interceptors), exported to an in-memory span exporter instead of OTLP.
 */
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let h: IssuerHarness;
beforeAll(async () => {
  tracing = startTracing({ serviceName: 'tracing-test', spanProcessor: new SimpleSpanProcessor(exporter) }) as Tracing;
  h = await startIssuerHarness({ tracing });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await tracing?.shutdown();
});

describe('OpenTelemetry traces', () => {
  it('follows an initiate from the HTTP request through the workflow and its activities to the call to the Wallet Server', async () => {
    const key = await generateWalletSigningKey();
    const sessionId = randomUUID();
    const body = await createInitiateRequest({
      key,
      sessionId,
      credentialConfigurationIds: [mdl],
      verificationData: { serverVerificationDataItem: [{ id: 'item-1', type: devApproveType }] },
    });
    const started = await h.http.post('/verification/initiate', body, { identity: h.walletA });
    expect(started.json.status).toBe('APPROVED');

    const spans = await pollUntil(
      async () => exporter.getFinishedSpans(),
      // The workflow's span ends when the workflow does, after the notification was delivered.
      (finished) => ['POST /verification/notify', 'RunWorkflow:verificationWorkflow'].every((name) => finished.some((span) => span.name === name)),
      { what: 'the notification’s and the workflow’s spans' },
    );
    const server = spans.find((span) => span.name === 'POST /verification/initiate') as ReadableSpan;
    expect(server).toBeDefined();
    expect(server.attributes).toMatchObject({
      'http.route': '/verification/initiate',
      'http.response.status_code': 200,
      's2s.tenant_id': h.walletA.tenant._id,
    });
    const trace = spans.filter((span) => span.spanContext().traceId === server.spanContext().traceId).map((span) => span.name);
    expect(trace).toEqual(
      expect.arrayContaining([
        'POST /verification/initiate',
        'UpdateWithStartWorkflow:firstDecision',
        'RunWorkflow:verificationWorkflow',
        'RunActivity:evaluateVerificationData',
        'RunActivity:recordVerificationStatus',
        'RunActivity:notifyWalletServer',
        'POST /verification/notify',
      ]),
    );
    const call = spans.find((span) => span.name === 'POST /verification/notify') as ReadableSpan;
    expect(call.attributes).toMatchObject({ 's2s.outcome': 'delivered', 'http.response.status_code': 200 });
    // Workflow spans name their workflow (its id, as in the Temporal UI); nothing of the request body.
    const exported = JSON.stringify(spans.map((span) => [span.name, span.attributes, span.events]));
    expect(exported).toContain(`verification-${h.walletA.tenant._id}-${sessionId}-${started.json.verificationId as string}`);
    expect(exported).not.toContain(body.verificationNonce);
    expect(exported).not.toContain((body.walletSigningKeyData as { client_public_key: { x: string } }).client_public_key.x);
  });
});
