import { randomUUID } from 'node:crypto';
import type { HpkeJwk } from '../../crypto/jwe-hpke';
import type { ClientPayloadBinding } from '../../domain/client-payload-binding';
import type { VerificationDataItem } from '../../domain/schemas/verification';
import { createClientEncryptedPayload, createInitiateRequest, generateWalletSigningKey, type WalletSigningKey } from '../../wallet/wallet-client-instance';
import type { ClientIdentity, HttpsClient } from './https-client';
import { pollUntil } from './polling';

/**
 * The wallet side of the engagement flows, as one Wallet Client Instance behind a Wallet Server:
 * its WSK, its sessionId, and the calls the Wallet Server makes for it. Client items are signed
 * with the WSK and encrypted to the issuer (S2S §Client Encrypted Payload); server items are sent
 * as they are. The reference Wallet Server grows from this module and wallet/.
 */
export async function createWalletInstance(options: { http: HttpsClient; identity: ClientIdentity; issuerKey: HpkeJwk }) {
  const key: WalletSigningKey = await generateWalletSigningKey();
  let ids: { sessionId: string; verificationId: string } | undefined;
  const post = (path: string, body: unknown) => options.http.post(path, body, { identity: options.identity });
  // Client items are bound to the request that carries them (profile §11).
  const encrypt = (items: Record<string, unknown>[], binding: ClientPayloadBinding) =>
    Promise.all(items.map((claims) => createClientEncryptedPayload({ key, issuerKey: options.issuerKey, claims, binding })));
  const verificationData = async (data: { client?: Record<string, unknown>[]; server?: Record<string, unknown>[] }, binding: ClientPayloadBinding) => ({
    ...(data.client ? { clientEncryptedPayload: await encrypt(data.client, binding) } : {}),
    ...(data.server ? { serverVerificationDataItem: data.server as VerificationDataItem[] } : {}),
  });

  return {
    key,
    get ids() {
      if (!ids) throw new Error('initiate first');
      return ids;
    },
    async initiate(request: {
      credentialConfigurationIds: string[];
      client?: Record<string, unknown>[];
      server?: Record<string, unknown>[];
      requestedDeviceCount?: number;
    }) {
      const sessionId = randomUUID();
      const data = request.client || request.server ? await verificationData(request, { sessionId }) : undefined;
      const body = await createInitiateRequest({
        key,
        sessionId,
        credentialConfigurationIds: request.credentialConfigurationIds,
        ...(data ? { verificationData: data } : {}),
        ...(request.requestedDeviceCount ? { requestedDeviceCount: request.requestedDeviceCount } : {}),
      });
      const response = await post('/verification/initiate', body);
      if (response.status === 200) ids = { sessionId: body.sessionId, verificationId: response.json.verificationId };
      return response;
    },
    async supplement(data: { client?: Record<string, unknown>[]; server?: Record<string, unknown>[] }) {
      const current = this.ids;
      return post('/verification/supplement', { ...current, verificationDataPayload: await verificationData(data, current) });
    },
    status: () => post('/verification/status', ids),
    /** Polls /verification/status until it leaves `from` (S2S §Asynchronous Endpoints). */
    async statusAfter(from: string) {
      return (
        await pollUntil(
          () => post('/verification/status', ids),
          (response) => response.json.status !== from,
          { what: `a status other than ${from}` },
        )
      ).json;
    },
  };
}
