import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { loadConfig } from '../config/config';
import type { HpkeJwk } from '../crypto/jwe-hpke';
import { issueCredentialsWithOffer } from '../wallet/credential-issuance';
import { getFromIssuer, postToIssuer } from '../wallet/issuer-request';
import { importWalletSigningKeyPair } from '../wallet/wallet-client-instance';
import { createCredentialOffers } from './credential-offers';
import { devMaterialPaths, readJson } from './dev-material';

/**
 * `npm run example-issuance`, against the stack `npm start` runs: the back office offers a
 * credential to a fake holder (dev/fake-holders.ts), and the development Wallet Server redeems the
 * offer and fetches a batch, each step printed (wallet/credential-issuance.ts). EXAMPLE_HOLDER,
 * EXAMPLE_CONFIGURATION and EXAMPLE_BATCH choose whom, what and how many.
 */
const holder = process.env.EXAMPLE_HOLDER ?? 'test-holder-erika';
const configurationId = process.env.EXAMPLE_CONFIGURATION ?? 'eu.europa.ec.eudi.pid.1';
const batch = Number(process.env.EXAMPLE_BATCH ?? 2);

/** What a JWT-based credential says (dc+sd-jwt: the issuer-signed JWT and its disclosures); other formats are shown as they are. */
function describeCredential(credential: string): string {
  const [jwt, ...disclosures] = credential.split('~').filter(Boolean);
  const payload = jwt?.split('.')[1];
  if (!payload) return `${credential.slice(0, 80)}…`;
  const decode = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  const claims = decode(payload) as Record<string, unknown>;
  const disclosed = disclosures.map((d) => decode(d) as unknown[]).map((d) => `${String(d[1])}: ${JSON.stringify(d[2])}`);
  return [JSON.stringify(claims, null, 2), ...(disclosed.length ? ['disclosures:', ...disclosed.map((d) => `  ${d}`)] : [])].join('\n');
}

async function main(): Promise<void> {
  const config = loadConfig({ S2S_ENABLE_DEV_VERIFICATION_TYPES: 'true', ...process.env });
  const dev = devMaterialPaths(config.dataDir);
  const caPem = readFileSync(dev.caCert, 'utf8');
  const agent = new https.Agent({ keepAlive: true, ca: caPem, cert: readFileSync(dev.walletCert), key: readFileSync(dev.walletKey) });
  const apiUrl = `https://${config.api.host}:${config.api.port}`;
  try {
    const metadata = await getFromIssuer(`${apiUrl}/.well-known/openid-credential-issuer-s2s`, { agent });
    const offers = createCredentialOffers({
      adminUrl: `https://${config.admin.host}:${config.admin.port}`,
      caPem,
      backOfficeToken: readFileSync(dev.devBackOfficeToken, 'utf8').trim(),
      holderAccountId: holder,
      credentialConfigurationIds: [configurationId],
    });
    const offer = await offers.createOne();
    offers.close();
    console.log(`back office: Credential Offer of ${configurationId} for ${holder} (credential_issuer ${offer.credentialIssuer})`);

    const result = await issueCredentialsWithOffer({
      post: (route, body) => postToIssuer(`${apiUrl}${route}`, body, { agent, requestId: randomUUID() }),
      walletSigningKey: await importWalletSigningKeyPair(readJson(dev.walletSigningKey)),
      issuerKey: (metadata.issuer_encryption_jwks as { keys: HpkeJwk[] }).keys[0] as HpkeJwk,
      credentialIssuer: (metadata.credential_issuer as string | undefined) ?? offer.credentialIssuer,
      credentialConfigurationId: configurationId,
      preAuthorizedCode: offer.code,
      presentmentKeyCount: batch,
      pollIntervalMs: 500,
      onAnswer: (route, answer) => {
        const shown = route === '/credential/get' && answer.status === 200 ? { ...answer.json, credentials: '(JWE, opened below)' } : answer.json;
        console.log(`${route} → ${answer.status} ${JSON.stringify(shown)}`);
      },
    });
    if (!result.outcome.issued) {
      console.log(`deferred: the issuer sends CREDENTIAL_READY to the Wallet Server's notification endpoint when the data is there`);
      return;
    }
    for (const [i, credential] of (result.outcome.credentials ?? []).entries()) {
      console.log(`\ncredential ${i + 1} of ${batch} (cnf: the presentment key it is bound to):\n${describeCredential(credential)}`);
    }
  } finally {
    agent.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error('Is the stack running (npm start)?');
  process.exit(1);
});
