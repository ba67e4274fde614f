import https from 'node:https';

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
  const createOne = (): Promise<{ code: string; credentialIssuer: string }> => {
    const payload = JSON.stringify({
      credentialConfigurationIds: options.credentialConfigurationIds,
      holderAccountId: options.holderAccountId,
      holderAuthenticated: true,
      expiresInSeconds: 3600,
    });
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${options.adminUrl}/admin/credential-offers`,
        {
          method: 'POST',
          agent,
          headers: { Authorization: `Bearer ${options.backOfficeToken}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 201) return reject(new Error(`POST /admin/credential-offers answered ${res.statusCode}: ${text.slice(0, 300)}`));
            const offer = (JSON.parse(text) as { credential_offer: { credential_issuer: string; grants: Record<string, Record<string, string>> } })
              .credential_offer;
            const code = offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']?.['pre-authorized_code'];
            if (!code) return reject(new Error('the offer has no pre-authorized code'));
            resolve({ code, credentialIssuer: offer.credential_issuer });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  };
  return { createOne, close: () => agent.destroy() };
}
