import https from 'node:https';
import { sendRequest } from '../wallet/issuer-request';

/**
 * The issuer's back office creating Credential Offers for a known holder account (profile §17,
 * `POST /admin/credential-offers` with the back-office credential), so that each bench session
 * is approved by evidence that names its holder (profile §27, Session → holder) and can be
 * provisioned. The offers are made ahead of the measured calls: in a real deployment the back
 * office makes them long before a wallet redeems them. Used by the bench and the issuance example.
 */
export function createCredentialOffers(options: {
  adminUrl: string;
  caPem: string;
  backOfficeToken: string;
  holderAccountId: string;
  credentialConfigurationIds: string[];
}) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 4, ca: options.caPem });
  const createOne = async (): Promise<{ code: string; credentialIssuer: string }> => {
    const payload = JSON.stringify({
      credentialConfigurationIds: options.credentialConfigurationIds,
      holderAccountId: options.holderAccountId,
      holderAuthenticated: true,
      expiresInSeconds: 3600,
    });
    const answer = await sendRequest(`${options.adminUrl}/admin/credential-offers`, {
      method: 'POST',
      agent,
      headers: { Authorization: `Bearer ${options.backOfficeToken}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
      body: payload,
    });
    if (answer.status !== 201) throw new Error(`POST /admin/credential-offers answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    const offer = (JSON.parse(answer.text) as { credential_offer: { credential_issuer: string; grants: Record<string, Record<string, string>> } })
      .credential_offer;
    const code = offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']?.['pre-authorized_code'];
    if (!code) throw new Error('the offer has no pre-authorized code');
    return { code, credentialIssuer: offer.credential_issuer };
  };
  return { createOne, close: () => agent.destroy() };
}
