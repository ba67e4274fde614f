import { randomUUID } from 'node:crypto';
import { createIssuerCredentialFormats } from '../crypto/credential-formats';
import { verifyCredentialRequest } from '../crypto/credential-request-verification';
import { parseKeyAttestationTrust } from '../crypto/key-attestation';
import { loadCredentialSigningKeys } from '../crypto/credential-signing-keys';
import { issuerEncryptionJwks, loadIssuerKeys } from '../crypto/issuer-keys';
import { encryptJwe, type HpkeJwk } from '../crypto/jwe-hpke';
import { credentialFormatFor } from '../domain/credential-formats/format';
import { issuanceConfigurationOf, type CredentialConfiguration } from '../domain/credential-configurations';
import type { PublicJwk } from '../domain/schemas/common';
import type { GetCredentialRequest } from '../domain/schemas/credential';
import type { HolderRecord } from '../domain/issuer-data-source';
import { claimsForHolder } from '../domain/issuer-data-source';
import { createGetCredentialRequest, type WalletEncryptionKey } from '../wallet/credential-request';
import { generateWalletSigningKey } from '../wallet/wallet-client-instance';

/**
 * The cryptography of one `/credential/get` in this process, with the project's own modules and
 * the development keys: verifying the request's proofs (verifyCredentialRequest: the WEK, the
 * WSK-signed, issuer-encrypted clientEncryptedData and each presentment key's jwt proof, profile
 * §25), signing the batch of
 * credentials (crypto/credential-formats, the active credential signing key) and HPKE-encrypting
 * the array to the WEK (crypto/jwe-hpke.ts). Measured as CPU time of this process (all its
 * threads: WebCrypto runs on libuv's pool), one get after the other, so the figure is CPU per
 * get on one core: what bounds a core's throughput of gets whatever the I/O around them.
 */
export interface IssuanceCryptoCost {
  iterations: number;
  batchSize: number;
  /** ms of CPU per get. */
  verify: number;
  sign: number;
  encrypt: number;
  total: number;
}

export async function measureIssuanceCryptoCost(options: {
  iterations: number;
  batchSize: number;
  configuration: CredentialConfiguration;
  holder: HolderRecord;
  issuerKeysFile: string;
  signingKeysFile: string;
  credentialIssuer: string;
}): Promise<IssuanceCryptoCost> {
  const issuerKeys = loadIssuerKeys(options.issuerKeysFile);
  const issuerKey = issuerEncryptionJwks(issuerKeys).keys[0] as HpkeJwk;
  const signer = loadCredentialSigningKeys(options.signingKeysFile).active;
  const format = credentialFormatFor(createIssuerCredentialFormats({ issuer: options.credentialIssuer }), issuanceConfigurationOf(options.configuration));
  const held = claimsForHolder(options.holder, options.configuration);
  if (held.outcome !== 'ready') throw new Error(`the bench holder has no ready data for ${options.configuration.id}`);
  const wsk = await generateWalletSigningKey('ES256');

  // The wallet's side is made first and not measured.
  const warmup = Math.min(20, options.iterations);
  const requests: { body: GetCredentialRequest; walletEncryptionKey: WalletEncryptionKey }[] = [];
  for (let i = 0; i < options.iterations + warmup; i += 1) {
    requests.push(
      await createGetCredentialRequest({
        walletSigningKey: wsk,
        issuerKey,
        credentialIssuer: options.credentialIssuer,
        sessionId: randomUUID(),
        credentialInstanceId: randomUUID(),
        nonce: randomUUID(),
        presentmentKeyCount: options.batchSize,
      }),
    );
  }

  // Profile §25's checks, as the get route runs them (crypto/credential-request-verification.ts).
  // The nonce store is the one part left out: it is I/O (a MongoDB update), not CPU of this
  // process, so it answers from memory here.
  const attestationTrust = parseKeyAttestationTrust({ issuers: [] }, 'no key attestations in the bench');
  const verify = async (body: GetCredentialRequest): Promise<PublicJwk[]> => {
    const proven = await verifyCredentialRequest(body, {
      tenantId: 'bench',
      requestId: randomUUID(),
      issuerKeys,
      walletSigningKey: wsk.publicJwk,
      credentialIssuer: options.credentialIssuer,
      iatWindowMs: 300_000,
      configuration: options.configuration,
      attestationTrust,
      nonces: { consume: async () => 'accepted' },
    });
    return proven.presentmentKeys;
  };
  const sign = async (holderKeys: PublicJwk[]) => {
    const issuedAt = new Date();
    const validity = { issuedAt, validFrom: issuedAt, validUntil: new Date(issuedAt.getTime() + 90 * 86_400_000) };
    const credentials: string[] = [];
    for (const [index, holderKey] of holderKeys.entries()) {
      const issued = await format.issue({
        configuration: issuanceConfigurationOf(options.configuration),
        claims: held.claims,
        holderKey,
        validity,
        status: { uri: `${options.credentialIssuer}/status-lists/1`, index },
        signer,
      });
      credentials.push(issued.credential);
    }
    return credentials;
  };
  const encrypt = (credentials: string[], wek: WalletEncryptionKey) => encryptJwe(Buffer.from(JSON.stringify(credentials), 'utf8'), wek.publicJwk);

  for (const request of requests.splice(0, warmup)) await encrypt(await sign(await verify(request.body)), request.walletEncryptionKey);

  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  let before = cpuMs();
  const provenKeys = [];
  for (const request of requests) provenKeys.push(await verify(request.body));
  const verifyMs = cpuMs() - before;
  before = cpuMs();
  const batches = [];
  for (const keys of provenKeys) batches.push(await sign(keys));
  const signMs = cpuMs() - before;
  before = cpuMs();
  for (const [i, credentials] of batches.entries()) await encrypt(credentials, (requests[i] as (typeof requests)[number]).walletEncryptionKey);
  const encryptMs = cpuMs() - before;

  const per = (total: number) => total / options.iterations;
  return {
    iterations: options.iterations,
    batchSize: options.batchSize,
    verify: per(verifyMs),
    sign: per(signMs),
    encrypt: per(encryptMs),
    total: per(verifyMs + signMs + encryptMs),
  };
}

export function printIssuanceCryptoCost(cost: IssuanceCryptoCost, configurationId: string): void {
  const row = (name: string, value: number) => console.log(`  ${name.padEnd(52)} ${value.toFixed(2).padStart(7)} ms`);
  console.log(
    `\nsign/encrypt cost per get, in-process (${cost.iterations} gets of ${cost.batchSize} × ${configurationId}, CPU time of one process, ${process.version}):`,
  );
  row(`verify the request (WEK, payload, ${cost.batchSize} jwt proofs)`, cost.verify);
  row(`sign ${cost.batchSize} credentials`, cost.sign);
  row('HPKE-encrypt the array to the WEK', cost.encrypt);
  row('total CPU per get', cost.total);
  console.log(`  → at most ${(1000 / cost.total).toFixed(0)} gets/s per core for the cryptography alone`);
}
