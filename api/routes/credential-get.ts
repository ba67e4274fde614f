import { describeCredentialMetadata } from '../../crypto/credential-metadata-version';
import {
  credentialRequestProblem,
  CredentialRequestRefused,
  verifyCredentialRequest,
  type CredentialRequestContext,
} from '../../crypto/credential-request-verification';
import type { CredentialCatalogue } from '../../domain/credential-configurations';
import { problems } from '../../domain/problems';
import { CredentialPending, GetCredentialRequest, GetCredentialResponse } from '../../domain/schemas/credential';
import { VerificationState } from '../../domain/verification-state';
import type { IssueOutcome } from '../../workflows/credential-lifecycle/messages';
import type { CredentialInstance, CredentialInstanceRepository } from '../../store/credential-instances';
import type { CredentialRequestStore } from '../../store/credential-requests';
import type { CredentialDeliveryStore } from '../../store/credential-deliveries';
import { currentDecision, type VerificationSessionRepository } from '../../store/verification-sessions';
import type { ContentDelivery } from '../content/content-delivery';
import type { ApiMiddleware } from '../context';
import { validatedBody } from '../middleware/validate-body';
import { timed } from '../server-timing';
import { configurationOf, findTenantInstance } from './instance-lookup';
import type { ProtocolRoute } from './route';

/** Runs an issuance on the instance's CredentialLifecycleWorkflow (its Update, idempotent per request id). */
export interface CredentialIssuer {
  issue(instance: CredentialInstance, request: { requestRef: string; requestId: string }): Promise<IssueOutcome>;
}

export interface GetDeps {
  catalogue: CredentialCatalogue;
  sessions: VerificationSessionRepository;
  credentialInstances: CredentialInstanceRepository;
  credentialRequests: CredentialRequestStore;
  credentialDeliveries: CredentialDeliveryStore;
  contentDelivery: ContentDelivery;
  credentialIssuance: CredentialIssuer;
  /** What verifyCredentialRequest needs besides the request and the session (profile §25). */
  credentialRequestChecks: Omit<CredentialRequestContext, 'tenantId' | 'requestId' | 'walletSigningKey' | 'configuration'>;
  /** Retry-After of a deferred answer when the issuer has no estimate (profile §25). */
  pendingRetryAfterSeconds: number;
}

/**
 * S2S §Get Credential. The request's keys are proven here (profile §25: the WSK-signed
 * clientEncryptedData binds the wallet encryption key, each jwt proof its presentment key, both
 * to a fresh issuer nonce) before anything is issued; the instance's workflow then issues one
 * credential per key (or answers from what it issued for the same keys) and leaves the JWE,
 * encrypted to the proven key, for this request to deliver.
 */
function getCredential(deps: GetDeps): ApiMiddleware {
  return async (ctx) => {
    const body = validatedBody(ctx, GetCredentialRequest);
    // The instance and the session (named by the body, which the instance must belong to) at once.
    const [instance, session] = await timed(ctx, 'instance', () =>
      Promise.all([findTenantInstance(ctx, deps.credentialInstances, body), deps.sessions.get({ tenantId: ctx.state.tenant._id, sessionId: body.sessionId })]),
    );
    const configuration = configurationOf(deps.catalogue, instance);
    // An instance issues while the verification that approved it is the session's current one.
    if (session?.verificationId !== instance.verificationId || currentDecision(session).status !== VerificationState.approved) {
      throw problems.credentialInstanceClosed('The verification that approved this credential instance is no longer the session’s current, approved one');
    }

    const proven = await timed(ctx, 'proofs', () =>
      verifyCredentialRequest(body, {
        ...deps.credentialRequestChecks,
        tenantId: instance.tenantId,
        requestId: ctx.state.requestId,
        walletSigningKey: session.walletSigningKey,
        configuration,
      }),
    ).catch((error: unknown) => {
      throw error instanceof CredentialRequestRefused ? credentialRequestProblem(error) : error;
    });

    const requestRef = await deps.credentialRequests.save(instance.tenantId, ctx.state.requestId, {
      ...proven,
      ...(body.currentCredentialMetadataVersion ? { currentCredentialMetadataVersion: body.currentCredentialMetadataVersion } : {}),
    });
    const outcome = await timed(ctx, 'issue', () => deps.credentialIssuance.issue(instance, { requestRef, requestId: ctx.state.requestId })).catch(
      (error: unknown) => {
        throw problems.serviceUnavailable('The credentials could not be issued now; retry later', error);
      },
    );

    switch (outcome.outcome) {
      case 'issued': {
        const delivery = await deps.credentialDeliveries.load(instance.tenantId, outcome.deliveryRef);
        if (!delivery) throw problems.serviceUnavailable('The issued credentials are not available yet; retry later');
        const metadata = describeCredentialMetadata(configuration);
        ctx.body = {
          credentialVersion: outcome.credentialVersion,
          credentials: await timed(ctx, 'deliver', () => deps.contentDelivery.deliver(instance.tenantId, delivery.jwe)),
          // S2S §Get Credential: metadata when the wallet's is absent or stale (profile §27).
          ...(body.currentCredentialMetadataVersion === metadata.credentialMetadataVersion ? {} : { credentialMetadata: metadata }),
        } satisfies GetCredentialResponse;
        return;
      }
      case 'pending': {
        const retryAfter = outcome.notReadyUntil
          ? Math.max(1, Math.ceil((Date.parse(outcome.notReadyUntil) - Date.now()) / 1000))
          : deps.pendingRetryAfterSeconds;
        ctx.status = 202;
        ctx.set('Retry-After', String(Math.min(retryAfter, 86_400)));
        ctx.body = {
          sessionId: instance.sessionId,
          credentialInstanceId: instance.credentialInstanceId,
          status: 'PENDING',
          ...(outcome.notReadyUntil ? { notReadyUntil: outcome.notReadyUntil } : {}),
        } satisfies CredentialPending;
        return;
      }
      case 'unavailable':
        throw problems.credentialDataUnavailable(
          outcome.reason === 'no_data' ? 'The issuer holds no data of this credential for the holder' : 'The issuer’s data of this credential is incomplete',
        );
      case 'suspended':
        throw problems.credentialInstanceSuspended(outcome.status);
      case 'closed':
        throw problems.credentialInstanceClosed('This credential instance no longer issues credentials');
    }
  };
}

export const credentialGetRoute: ProtocolRoute<GetDeps> = {
  method: 'POST',
  path: '/credential/get',
  summary: 'Credentials bound to proven keys, encrypted to the wallet (S2S §Get Credential)',
  requestSchema: GetCredentialRequest,
  responseSchema: GetCredentialResponse,
  acceptedSchema: CredentialPending,
  effects: 'write',
  steps: (deps) => [getCredential(deps)],
};
