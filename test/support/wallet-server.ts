import type { HpkeJwk } from '../../crypto/jwe-hpke';
import {
  createInitiateWithItems,
  createVerificationData,
  generateWalletSigningKey,
  type WalletItems,
  type WalletSigningKey,
} from '../../wallet/wallet-client-instance';
import type { ClientIdentity, HttpsClient } from './https-client';
import { pollUntil } from './polling';

/**
 * The wallet side of the engagement flows, as one Wallet Client Instance behind a Wallet Server:
 * its WSK, its sessionId, and the calls the Wallet Server makes for it. Client items are signed
 * with the WSK and encrypted to the issuer (S2S §Client Encrypted Payload); server items are sent
 * as they are. The reference Wallet Server (reference-wallet/) builds its requests the same way.
 */
export async function createWalletInstance(options: { http: HttpsClient; identity: ClientIdentity; issuerKey: HpkeJwk }) {
  const key: WalletSigningKey = await generateWalletSigningKey();
  let ids: { sessionId: string; verificationId: string } | undefined;
  const post = (path: string, body: unknown) => options.http.post(path, body, { identity: options.identity });
  return {
    key,
    get ids() {
      if (!ids) throw new Error('initiate first');
      return ids;
    },
    async initiate(request: WalletItems & { credentialConfigurationIds: string[]; requestedDeviceCount?: number }) {
      // Client items are bound to the request that carries them (profile §11).
      const body = await createInitiateWithItems(key, options.issuerKey, request);
      const response = await post('/verification/initiate', body);
      if (response.status === 200) ids = { sessionId: body.sessionId, verificationId: response.json.verificationId };
      return response;
    },
    async supplement(data: WalletItems) {
      const current = this.ids;
      return post('/verification/supplement', { ...current, verificationDataPayload: await createVerificationData(key, options.issuerKey, data, current) });
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
