import { randomUUID } from 'node:crypto';
import type { HpkeJwk } from '../crypto/jwe-hpke';
import type { DeliveredCredentials, ProvisionCredentialResponse } from '../domain/schemas/credential';
import { preAuthorizedCodeType } from '../domain/verification-types/pre-authorized-code';
import { createGetCredentialRequest, openCredentials, type CredentialRequestKeys } from './credential-request';
import { createClientEncryptedPayload, createInitiateRequest, type WalletSigningKey } from './wallet-client-instance';

/**
 * A whole issuance as a Wallet Server runs it for one Wallet Client Instance that redeems a
 * Credential Offer (engagement flow 3, S2S §Verification Flow Examples): initiate with the
 * offer's pre-authorized code → APPROVED (polling status while PENDING, S2S §Asynchronous
 * Endpoints) → /credential/provision → /credential/nonce → /credential/get of a batch (profile
 * §25). The calls go through `post`, so the bench can time them and the example print them.
 */
export type IssuerPost = (route: string, body: unknown) => Promise<{ status: number; json: Record<string, unknown> }>;

/** ms spent in each call (status: 0 when initiate answered APPROVED), and in the wallet's own work for the get. */
export interface IssuanceTimings {
  initiate: number;
  status: number;
  provision: number;
  nonce: number;
  /** Building the get: keys, proofs, clientEncryptedData. */
  wallet: number;
  get: number;
}

/** An answer the flow did not expect, with what the issuer said. */
export class IssuanceStepFailed extends Error {
  constructor(
    readonly route: string,
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(`${route} answered ${status} ${JSON.stringify(body)}`);
    this.name = 'IssuanceStepFailed';
  }
}

export interface IssuanceResult extends CredentialRequestKeys {
  sessionId: string;
  verificationId: string;
  credentialInstanceId: string;
  timings: IssuanceTimings;
  /** 200: the credentials (decrypted when `open`); 202: deferred (profile §25, CredentialPending). */
  outcome: { issued: true; answer: Record<string, unknown>; credentials?: string[] } | { issued: false; pending: Record<string, unknown> };
}

function expect(route: string, answer: { status: number; json: Record<string, unknown> }, ...statuses: number[]): void {
  if (!statuses.includes(answer.status)) throw new IssuanceStepFailed(route, answer.status, answer.json);
}

export async function issueCredentialsWithOffer(options: {
  post: IssuerPost;
  walletSigningKey: WalletSigningKey;
  /** An issuer key from `issuer_encryption_jwks`: the offer's item and clientEncryptedData are encrypted to it. */
  issuerKey: HpkeJwk;
  /** `credential_issuer`: the key proofs' aud. */
  credentialIssuer: string;
  credentialConfigurationId: string;
  preAuthorizedCode: string;
  presentmentKeyCount: number;
  /** Decrypt the credentials with the WEK (default true). */
  open?: boolean;
  pollIntervalMs?: number;
  maxPolls?: number;
  /** Hears of each answer as it arrives. */
  onAnswer?: (route: string, answer: { status: number; json: Record<string, unknown> }) => void;
}): Promise<IssuanceResult> {
  const post = async (route: string, body: unknown) => {
    const answer = await options.post(route, body);
    options.onAnswer?.(route, answer);
    return answer;
  };
  const sessionId = randomUUID();
  // The code is a Wallet Client's item: signed with the WSK, encrypted to the issuer (profile §11).
  const offerItem = await createClientEncryptedPayload({
    key: options.walletSigningKey,
    issuerKey: options.issuerKey,
    claims: { id: 'offer', type: preAuthorizedCodeType, preAuthorizedCode: options.preAuthorizedCode },
    binding: { sessionId },
  });
  const initiateBody = await createInitiateRequest({
    key: options.walletSigningKey,
    sessionId,
    credentialConfigurationIds: [options.credentialConfigurationId],
    verificationData: { clientEncryptedPayload: [offerItem] },
  });

  const t0 = performance.now();
  const initiated = await post('/verification/initiate', initiateBody);
  const t1 = performance.now();
  expect('/verification/initiate', initiated, 200);
  const verificationId = initiated.json.verificationId as string;
  let status = initiated.json.status;
  let polls = 0;
  for (; status !== 'APPROVED'; polls += 1) {
    if (status !== 'PENDING') throw new IssuanceStepFailed('/verification/initiate', initiated.status, initiated.json);
    if (polls >= (options.maxPolls ?? 200)) throw new Error(`session not approved after ${polls} polls`);
    await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 50));
    const polled = await post('/verification/status', { sessionId, verificationId });
    expect('/verification/status', polled, 200);
    status = polled.json.status;
  }
  const t2 = performance.now();

  const provisioned = await post('/credential/provision', { sessionId, verificationId });
  const t3 = performance.now();
  expect('/credential/provision', provisioned, 200);
  const instances = (provisioned.json as unknown as ProvisionCredentialResponse).CredentialInstances;
  const credentialInstanceId = instances.find((i) => i.credentialConfigurationId === options.credentialConfigurationId)?.credentialInstanceIds[0];
  if (!credentialInstanceId) throw new IssuanceStepFailed('/credential/provision', provisioned.status, provisioned.json);

  const nonced = await post('/credential/nonce', { sessionId, credentialInstanceId });
  const t4 = performance.now();
  expect('/credential/nonce', nonced, 200);

  const request = await createGetCredentialRequest({
    walletSigningKey: options.walletSigningKey,
    issuerKey: options.issuerKey,
    credentialIssuer: options.credentialIssuer,
    sessionId,
    credentialInstanceId,
    nonce: nonced.json.c_nonce as string,
    presentmentKeyCount: options.presentmentKeyCount,
  });
  const t5 = performance.now();
  const got = await post('/credential/get', request.body);
  const t6 = performance.now();
  expect('/credential/get', got, 200, 202);

  const timings = { initiate: t1 - t0, status: polls > 0 ? t2 - t1 : 0, provision: t3 - t2, nonce: t4 - t3, wallet: t5 - t4, get: t6 - t5 };
  const ids = { sessionId, verificationId, credentialInstanceId, walletEncryptionKey: request.walletEncryptionKey, presentmentKeys: request.presentmentKeys };
  if (got.status === 202) return { ...ids, timings, outcome: { issued: false, pending: got.json } };
  const credentials =
    options.open === false ? undefined : await openCredentials(got.json.credentials as DeliveredCredentials, request.walletEncryptionKey.privateJwk);
  return { ...ids, timings, outcome: { issued: true, answer: got.json, ...(credentials ? { credentials } : {}) } };
}
