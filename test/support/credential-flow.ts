import { preAuthorizedCodeType } from '../../domain/verification-types/pre-authorized-code';
import { buildGetCredentialRequest } from './credential-wallet';
import type { ClientIdentity } from './https-client';
import type { IssuerHarness } from './issuer-harness';
import { createWalletInstance } from './wallet-server';

/**
 * The Wallet Server's side of issuance on an issuer harness (profile §25): a fake holder's
 * Credential Offer redeemed by a new Wallet Client Instance (APPROVED, holder known), then
 * provision, nonce and a get built by the test wallet. Used by the tests of the credential
 * endpoints over mTLS. `harness` is read at each call.
 */
export function credentialFlow(harness: () => IssuerHarness) {
  const issuerKey = () => harness().issuerEncryptionKeys[0] as NonNullable<IssuerHarness['issuerEncryptionKeys'][number]>;
  const post = (path: string, body: unknown, identity: ClientIdentity = harness().walletA) => harness().http.post(path, body, { identity });

  /** A holder's offer redeemed by a new Wallet Client Instance: APPROVED, with the holder account known (profile §27). */
  async function approvedWallet(configurationIds: string[], holderAccountId = 'test-holder-erika', identity: ClientIdentity = harness().walletA) {
    const offer = await harness().admin('POST', '/admin/credential-offers', 'backOffice', {
      credentialConfigurationIds: configurationIds,
      holderAccountId,
      holderAuthenticated: true,
    });
    expect(offer.status).toBe(201);
    const code = offer.json.credential_offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']['pre-authorized_code'] as string;
    const wallet = await createWalletInstance({ http: harness().http, identity, issuerKey: issuerKey() });
    const started = await wallet.initiate({
      credentialConfigurationIds: configurationIds,
      client: [{ id: 'offer', type: preAuthorizedCodeType, preAuthorizedCode: code }],
    });
    expect(started.json.status).toBe('APPROVED');
    return wallet;
  }

  type Wallet = Awaited<ReturnType<typeof approvedWallet>>;

  async function provision(wallet: Wallet, device?: string, identity: ClientIdentity = harness().walletA) {
    return post('/credential/provision', { ...wallet.ids, ...(device ? { extensions: { walletClientInstanceId: device } } : {}) }, identity);
  }

  async function instanceOf(wallet: Wallet, configurationId: string): Promise<string> {
    const provisioned = await provision(wallet);
    expect(provisioned.status).toBe(200);
    const entry = (provisioned.json.CredentialInstances as { credentialConfigurationId: string; credentialInstanceIds: string[] }[]).find(
      (candidate) => candidate.credentialConfigurationId === configurationId,
    );
    return entry?.credentialInstanceIds[0] as string;
  }

  async function nonceFor(wallet: Wallet, credentialInstanceId: string, identity: ClientIdentity = harness().walletA): Promise<string> {
    const answer = await post('/credential/nonce', { sessionId: wallet.ids.sessionId, credentialInstanceId }, identity);
    expect(answer.status).toBe(200);
    return answer.json.c_nonce as string;
  }

  async function buildGet(wallet: Wallet, credentialInstanceId: string, options: Partial<Parameters<typeof buildGetCredentialRequest>[0]> = {}) {
    return buildGetCredentialRequest({
      sessionId: wallet.ids.sessionId,
      credentialInstanceId,
      nonce: await nonceFor(wallet, credentialInstanceId),
      walletSigningKey: wallet.key,
      issuerEncryptionKey: issuerKey(),
      credentialIssuer: harness().config.api.publicUrl,
      ...options,
    });
  }

  return { issuerKey, post, approvedWallet, provision, instanceOf, nonceFor, buildGet };
}
