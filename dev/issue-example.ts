import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { loadConfig } from '../config/config';
import { shippedCredentialConfigurations } from '../config/shipped-credential-configurations';
import type { HpkeJwk } from '../crypto/jwe-hpke';
import { issueCredentialsWithOffer } from '../wallet/credential-issuance';
import { getFromIssuer, postToIssuer } from '../wallet/issuer-request';
import { importWalletSigningKeyPair } from '../wallet/wallet-client-instance';
import { createCredentialOffers } from './credential-offers';
import { describeCredential, type ShownFormat } from './decoded-credential';
import { devMaterialPaths, readJson } from './dev-material';

/**
 * `npm run issue-example`, against the stack `npm start` runs in this checkout: for each shipped
 * configuration, the back office offers it to the fake holder test-holder-erika (profile §27),
 * and the development Wallet Server redeems the offer as a Wallet Server would: initiate with the
 * pre-authorized code → APPROVED → /credential/provision → /credential/nonce → /credential/get
 * with two presentment keys (profile §25) → the credentials decrypted with the Wallet Encryption
 * Key and printed decoded. Reads the same .data/ material and configuration as `npm start`.
 */
const say = (line: string) => console.log(`[issue-example] ${line}`);
const holderAccountId = 'test-holder-erika';
const presentmentKeyCount = 2;
const shownFormats: readonly string[] = ['dc+sd-jwt', 'jwt_vc_json', 'mso_mdoc'] satisfies ShownFormat[];

class StackNotRunning extends Error {}

/** Connection errors mean nothing listens there: the stack is not up (or runs with other ports). */
function isConnectionRefused(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH';
}

async function main(): Promise<void> {
  const root = process.cwd();
  // The same configuration npm start gives its processes (dev/start.ts).
  const config = loadConfig({ S2S_ENABLE_DEV_VERIFICATION_TYPES: 'true', ...process.env });
  const dev = devMaterialPaths(config.dataDir);
  const rel = (file: string) => path.relative(root, file);
  const needed = [dev.caCert, dev.walletCert, dev.walletKey, dev.walletSigningKey, dev.devBackOfficeToken];
  const missing = needed.filter((file) => !existsSync(file));
  if (missing.length > 0)
    throw new StackNotRunning(`the development material is missing (${missing.map(rel).join(', ')}): start the stack with npm start first`);

  const caPem = readFileSync(dev.caCert, 'utf8');
  // The development Wallet Server's client certificate, as in the curl commands npm start prints.
  const agent = new https.Agent({ keepAlive: true, ca: caPem, cert: readFileSync(dev.walletCert), key: readFileSync(dev.walletKey) });
  const apiUrl = `https://${config.api.host}:${config.api.port}`;
  const adminUrl = `https://${config.admin.host}:${config.admin.port}`;
  try {
    say(`Issuer API ${apiUrl}, admin listener ${adminUrl} (data in ${rel(config.dataDir)}/)`);
    const metadata = await getFromIssuer(`${apiUrl}/.well-known/openid-credential-issuer-s2s`, { agent }).catch((error: unknown) => {
      if (isConnectionRefused(error)) throw new StackNotRunning(`nothing answers at ${apiUrl}: start the stack with npm start in this checkout first`);
      throw error;
    });
    const issuerKey = (metadata.issuer_encryption_jwks as { keys: HpkeJwk[] } | undefined)?.keys[0];
    if (!issuerKey) throw new Error('the issuer metadata lists no issuer_encryption_jwks');
    say(`issuer metadata read: issuer encryption key ${String(issuerKey.kid)} (${String(issuerKey.alg)})`);
    // npm start writes the back-office token in clear for development (dev/dev-material.ts); production keeps hashes only.
    const backOfficeToken = readFileSync(dev.devBackOfficeToken, 'utf8').trim();
    const walletSigningKey = await importWalletSigningKeyPair(readJson(dev.walletSigningKey));

    for (const configuration of shippedCredentialConfigurations) {
      if (!shownFormats.includes(configuration.format)) throw new Error(`no decoder for the format ${configuration.format}`);
      const format = configuration.format as ShownFormat;
      console.log(`\n==================== ${configuration.id} (${format}) ====================`);
      const offers = createCredentialOffers({ adminUrl, caPem, backOfficeToken, holderAccountId, credentialConfigurationIds: [configuration.id] });
      const offer = await offers.createOne().finally(() => offers.close());
      say(
        `back office: POST /admin/credential-offers → a Credential Offer of ${configuration.id} for ${holderAccountId} (credential_issuer ${offer.credentialIssuer})`,
      );
      const result = await issueCredentialsWithOffer({
        post: (route, body) => postToIssuer(`${apiUrl}${route}`, body, { agent, requestId: randomUUID() }),
        walletSigningKey,
        issuerKey,
        // The key proofs' aud: the Credential Issuer Identifier the offer names (OpenID4VCI 1.0 §4.1.1, Appendix F.1).
        credentialIssuer: offer.credentialIssuer,
        credentialConfigurationId: configuration.id,
        preAuthorizedCode: offer.code,
        presentmentKeyCount,
        pollIntervalMs: 500,
        onAnswer: (route, answer) => {
          const status = typeof answer.json.status === 'string' ? ` ${answer.json.status}` : '';
          say(`${route} → ${answer.status}${status}`);
        },
      });
      if (!result.outcome.issued) throw new Error(`${configuration.id} was deferred (202): ${JSON.stringify(result.outcome.pending)}`);
      const credentials = result.outcome.credentials ?? [];
      say(`credentials decrypted with the Wallet Encryption Key: ${credentials.length} for ${presentmentKeyCount} presentment keys`);
      say(`credentialVersion ${String(result.outcome.answer.credentialVersion)}`);
      const presentmentKeys = result.presentmentKeys.map((key) => key.publicJwk);
      for (const [index, credential] of credentials.entries()) {
        console.log(`\n--- ${configuration.id}: credential ${index + 1} of ${credentials.length} ---`);
        console.log(describeCredential(format, credential, presentmentKeys));
      }
    }
    console.log('');
    say(`done: ${shippedCredentialConfigurations.length} configurations issued to ${holderAccountId}, ${presentmentKeyCount} credentials each`);
  } finally {
    agent.destroy();
  }
}

main().catch((error: unknown) => {
  if (error instanceof StackNotRunning) {
    console.error(`[issue-example] ${error.message}`);
  } else {
    console.error('[issue-example] failed:', error instanceof Error ? error.message : error);
    if (isConnectionRefused(error)) console.error('[issue-example] a listener refused the connection: is the whole stack running (npm start)?');
  }
  process.exit(1);
});
