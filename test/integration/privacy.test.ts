import { randomUUID } from 'node:crypto';
import type { PayloadCodec } from '@temporalio/common';
import type { LogEntry } from '@temporalio/worker';
import { loadIssuerKeyMaterial } from '../../crypto/key-material';
import { createPayloadCodec } from '../../crypto/temporal-payload-codec';
import { decodedHistoryText, findLeaks } from '../support/privacy-scan';
import type { VerificationDataItem } from '../../domain/schemas/verification';
import { devApproveType } from '../../domain/verification-types/development';
import { createInitiateRequest, generateWalletSigningKey } from '../../wallet/wallet-client-instance';
import { verificationWorkflowId } from '../../workflows/verification/messages';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { clientPayload, holderPersonalData, mdl } from '../support/wallet-requests';

let h: IssuerHarness;
let codec: PayloadCodec;
beforeAll(async () => {
  h = await startIssuerHarness();
  // Display mode: search attributes are plain payloads in the history, and are scanned too.
  codec = createPayloadCodec(loadIssuerKeyMaterial(h.config).dataKeyring, { acceptPlaintext: true });
});
afterAll(async () => {
  await h?.close();
});

/**
 * STYLE.md: personal data never enters Temporal history or logs in clear. A full run (initiate
 * with a client payload, supplement, status, cancel) with recognisable holder data, then every
 * history, API log line and SDK/activity log line is searched for it.
 */
describe('privacy: the holder’s data stays out of histories and logs', () => {
  it('finds no trace of the holder’s data, keys or nonces after a full run', async () => {
    const secrets = [holderPersonalData.givenName, holderPersonalData.familyName, holderPersonalData.birthDate, 'DOC-4242-PASSPORT'];
    const key = await generateWalletSigningKey();
    const issuerKey = h.issuerEncryptionKeys[0] as NonNullable<IssuerHarness['issuerEncryptionKeys'][number]>;
    const item = {
      type: 'urn:s2s-issuer:verification-type:dev-additional-info',
      ...holderPersonalData,
      documentNumber: 'DOC-4242-PASSPORT',
      givenName: `${holderPersonalData.givenName} `,
    };

    const sessionId = randomUUID();
    const body = await createInitiateRequest({
      key,
      sessionId,
      credentialConfigurationIds: [mdl],
      verificationData: { clientEncryptedPayload: [await clientPayload(key, issuerKey, { id: 'first', ...item }, { sessionId })] },
    });
    const started = await h.http.post('/verification/initiate', body, { identity: h.walletA });
    expect(started.json.status).toBe('ADDITIONAL_INFO_REQUIRED');
    const ids = { sessionId: body.sessionId, verificationId: started.json.verificationId };
    const supplement = await h.http.post(
      '/verification/supplement',
      {
        ...ids,
        verificationDataPayload: {
          clientEncryptedPayload: [await clientPayload(key, issuerKey, { id: 'second', ...item, type: devApproveType }, ids)],
          serverVerificationDataItem: [{ id: 'risk', type: 'urn:example:risk', holder: holderPersonalData } as VerificationDataItem],
        },
      },
      { identity: h.walletA },
    );
    expect(supplement.json.status).toBe('APPROVED');
    await h.http.post('/verification/status', ids, { identity: h.walletA });

    const cancelled = await createInitiateRequest({
      key,
      credentialConfigurationIds: [mdl],
      verificationData: {
        serverVerificationDataItem: [
          { id: 'x', type: 'urn:s2s-issuer:verification-type:dev-additional-info', holder: holderPersonalData } as VerificationDataItem,
        ],
      },
    });
    const second = await h.http.post('/verification/initiate', cancelled, { identity: h.walletA });
    await h.http.post(
      '/verification/cancel',
      { sessionId: cancelled.sessionId, verificationId: second.json.verificationId, reason: 'USER_ABANDONED' },
      { identity: h.walletA },
    );

    const histories = await Promise.all(
      [ids, { sessionId: cancelled.sessionId, verificationId: second.json.verificationId as string }].map(async (ref) => {
        const handle = h.temporal.workflow.getHandle(verificationWorkflowId({ tenantId: h.walletA.tenant._id, ...ref }));
        await handle.result();
        return decodedHistoryText(await handle.fetchHistory(), codec);
      }),
    );
    const captured = (globalThis as { __capturedTemporalLogs?: LogEntry[] }).__capturedTemporalLogs ?? [];
    expect(captured.length).toBeGreaterThan(0);
    const temporalLogs = JSON.stringify(captured, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    const haystacks = { histories: histories.join('\n'), apiLogs: h.apiLogs.join('\n'), temporalLogs };
    expect(h.apiLogs.length).toBeGreaterThan(3);

    // The decoded histories are readable: the scan would see a leak (identifiers do show).
    expect(haystacks.histories).toContain(ids.verificationId);
    expect(findLeaks(haystacks, [...secrets, body.verificationNonce, key.publicJwk.x ?? ''])).toEqual([]);
  });

  it('would find a leak planted in a workflow input or a log line (the scan can fail)', async () => {
    const planted = `${holderPersonalData.familyName}-${Date.now()}`;
    // A workflow started with personal data in its input (what the code must never do).
    const handle = await h.temporal.workflow.start('reconciliationWorkflow', {
      taskQueue: `${h.config.temporal.taskQueue}-nobody-polls`,
      workflowId: `privacy-probe-${Date.now()}`,
      args: [{ plantedHolderName: planted }],
    });
    const history = await decodedHistoryText(await handle.fetchHistory(), codec);
    await handle.terminate('privacy probe');
    expect(JSON.stringify(await handle.fetchHistory())).not.toContain(planted); // stored encrypted
    expect(findLeaks({ histories: history }, [planted])).toEqual([`histories: ${planted}`]);
    expect(findLeaks({ apiLogs: [...h.apiLogs, JSON.stringify({ msg: 'request', body: { name: planted } })].join('\n') }, [planted])).toEqual([
      `apiLogs: ${planted}`,
    ]);
  });
});
