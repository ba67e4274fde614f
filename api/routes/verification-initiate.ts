import { randomUUID } from 'node:crypto';
import {
  WorkflowAlreadyClosedError,
  WorkflowNotStartedError,
  WorkflowStartUnknownError,
  type VerificationWorkflows,
} from '../../clients/temporal/verification-workflows';
import type { IssuerKeys } from '../../crypto/issuer-keys';
import { importWalletSigningKey, publicWalletSigningJwk, UnusableKeyError } from '../../crypto/public-jwk';
import { verifyVerificationNonce } from '../../crypto/verification-nonce';
import { unknownConfigurationIds, type CredentialCatalogue } from '../../domain/credential-configurations';
import { problems } from '../../domain/problems';
import { KeyType, uuidPattern } from '../../domain/schemas/common';
import { InitiateVerificationRequest, VerificationStatus, type VerificationDecision } from '../../domain/schemas/verification';
import type { VerificationDataRepository } from '../../store/verification-data';
import type { OpenVerificationRepository } from '../../store/open-verifications';
import { effectiveQuotas, type TenantQuotas } from '../../domain/quotas';
import {
  currentDecision,
  SessionAlreadyUsedError,
  type NewVerification,
  type SessionKey,
  type VerificationSessionRepository,
} from '../../store/verification-sessions';
import { isTerminal, VerificationState } from '../../domain/verification-state';
import type { PublicJwk } from '../../domain/schemas/common';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { VerificationWorkflowInput } from '../../workflows/verification/messages';
import type { CrashAfter } from '../fault-injection';
import type { ApiMiddleware } from '../context';
import { timed } from '../server-timing';
import { collectVerificationEvidence, hasEvidence } from '../verification-evidence';
import { validatedBody } from '../middleware/validate-body';
import type { ProtocolRoute } from './route';

export interface InitiateDeps {
  catalogue: CredentialCatalogue;
  sessions: VerificationSessionRepository;
  verificationData: VerificationDataRepository;
  workflows: VerificationWorkflows;
  issuerKeys: IssuerKeys;
  initialDecisionWaitMs: number;
  idleExpiryMs: number;
  limits: VerificationWorkflowInput['limits'];
  crashAfter: CrashAfter;
  openVerifications: OpenVerificationRepository;
  /** Defaults of the tenants' quotas, and the Retry-After of a refusal by the cap (profile §Quotas). */
  quotas: TenantQuotas & { openVerificationsRetryAfterSeconds: number };
  /** How far a Client Encrypted Payload's iat may lie from now (profile §11). */
  clientPayloadIatWindowMs: number;
}

const keyPointer = '/walletSigningKeyData/client_public_key';

/** Refuses credential configurations this issuer does not offer. */
function checkCredentialConfigurations(catalogue: CredentialCatalogue): ApiMiddleware {
  return async (ctx, next) => {
    const unknown = unknownConfigurationIds(catalogue, validatedBody(ctx, InitiateVerificationRequest).credentialConfigurationIds);
    if (unknown.length > 0) throw problems.unknownCredentialConfiguration(unknown);
    await next();
  };
}

/** S2S §Replay Protection: verificationNonce must be the WSK's signature over sessionId. */
const verifyNonce: ApiMiddleware = async (ctx, next) => {
  const { sessionId, verificationNonce, walletSigningKeyData } = validatedBody(ctx, InitiateVerificationRequest);
  if (walletSigningKeyData.keyType !== KeyType.walletSigningKey) {
    throw problems.invalidRequest('walletSigningKeyData must describe a WALLET_SIGNING_KEY', [
      { pointer: '/walletSigningKeyData/keyType', message: `must be ${KeyType.walletSigningKey}` },
    ]);
  }
  let signingKey;
  try {
    signingKey = await importWalletSigningKey(walletSigningKeyData.client_public_key);
  } catch (error) {
    if (!(error instanceof UnusableKeyError)) throw error;
    throw problems.invalidRequest('walletSigningKeyData.client_public_key is not usable', [
      { pointer: `${keyPointer}/${error.member}`, message: error.message },
    ]);
  }
  const reverification = reverificationOf(validatedBody(ctx, InitiateVerificationRequest));
  // Profile §Re-verification: the nonce then signs "<sessionId>.<previousVerificationId>".
  const signedValue = reverification ? `${sessionId}.${reverification.previousVerificationId}` : sessionId;
  const check = await timed(ctx, 'nonce', () => verifyVerificationNonce(signedValue, verificationNonce, signingKey));
  if (!check.valid) throw problems.invalidClientAuthentication(check.reason);
  await next();
};

export const reverificationExtension = 'urn:s2s-issuer:reverification';

/** Profile §Re-verification: `extensions["urn:s2s-issuer:reverification"].previousVerificationId`. */
function reverificationOf(body: InitiateVerificationRequest): { previousVerificationId: string } | undefined {
  const extension = body.extensions?.[reverificationExtension];
  if (extension === undefined) return undefined;
  const previous = (extension as { previousVerificationId?: unknown } | null)?.previousVerificationId;
  if (typeof previous !== 'string' || !uuidPattern.test(previous)) {
    throw problems.invalidRequest('The re-verification extension needs the previous verificationId', [
      { pointer: `/extensions/${reverificationExtension}/previousVerificationId`, message: 'must be a UUID' },
    ]);
  }
  return { previousVerificationId: previous };
}

/**
 * A new verification for an existing session, allowed when the previous one is the session's
 * current verification and ended DENIED or EXPIRED, and the request proves the same Wallet
 * Signing Key. The previous verification stays readable. Returns the new verificationId (the
 * one chosen before, when this request is a retry of the one that started it).
 */
async function startReverification(
  sessions: VerificationSessionRepository,
  key: SessionKey,
  previousVerificationId: string,
  next: NewVerification,
): Promise<string> {
  const previous = await sessions.find(key, previousVerificationId);
  if (!previous) throw problems.sessionNotFound();
  const [established, presented] = await Promise.all([jwkThumbprint(previous.walletSigningKey), jwkThumbprint(next.walletSigningKey)]);
  if (established !== presented) throw problems.invalidClientAuthentication('walletSigningKeyData is not the Wallet Signing Key of this session');
  // A previous verification that is no longer current was superseded, possibly by an earlier
  // execution of this very request: the store tells which.
  const status = currentDecision(previous).status;
  if (previous.current && status !== VerificationState.denied && status !== VerificationState.expired) throw problems.reverificationNotAllowed(status);
  const verificationId = await sessions.startReverification(key, previousVerificationId, next);
  if (!verificationId) throw problems.reverificationNotAllowed('superseded');
  return verificationId;
}

async function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  return calculateJwkThumbprint(jwk as JWK, 'sha256');
}

/**
 * Stores the session (consuming the sessionId), stores any verification data by reference,
 * starts the VerificationWorkflow and answers with the status it reached within a bounded
 * wait. If the workflow cannot start, what was written is removed and the client may retry.
 *
 * Profile §3: each step is safe to run again, so that a retry with the same x-request-id can
 * finish an execution whose process died at any point: the session recognises the request that
 * created it (same verificationId), the data's record id derives from the request, and starting
 * the workflow attaches to the one already started.
 */
function startVerification(deps: InitiateDeps): ApiMiddleware {
  return async (ctx) => {
    const body = validatedBody(ctx, InitiateVerificationRequest);
    const tenantId = ctx.state.tenant._id;
    const initiatedBy = { requestId: ctx.state.requestId, fingerprint: ctx.state.requestFingerprint };
    const reverification = reverificationOf(body);
    // Profile §5: only the public members of the key are kept (verifyNonce refused private ones).
    const walletSigningKey = publicWalletSigningJwk(body.walletSigningKeyData.client_public_key);
    // Client payloads are verified with the WSK of this very request (S2S §Client Encrypted Payload)
    // and must be bound to it (profile §11): its sessionId and, in a re-verification, the
    // verificationId it re-verifies; no verificationId exists yet.
    const evidence = await timed(ctx, 'payloads', () =>
      collectVerificationEvidence(body.verificationData, {
        issuerKeys: deps.issuerKeys,
        walletSigningKey,
        pointer: '/verificationData',
        binding: { sessionId: body.sessionId, ...(reverification ? { previousVerificationId: reverification.previousVerificationId } : {}) },
        iatWindowMs: deps.clientPayloadIatWindowMs,
      }),
    );
    const verificationDataRef = hasEvidence(evidence) ? deps.verificationData.refForRequest(tenantId, initiatedBy) : undefined;
    const key = { tenantId, sessionId: body.sessionId };
    const proposed: NewVerification = {
      tenantId,
      sessionId: body.sessionId,
      verificationId: randomUUID(),
      initiatedBy,
      ...(verificationDataRef ? { verificationDataRef } : {}),
      credentialConfigurationIds: body.credentialConfigurationIds,
      walletSigningKey,
      requestedDeviceCount: body.requestedDeviceCount ?? 1,
      ...(body.supportedVerificationTypes ? { supportedVerificationTypes: body.supportedVerificationTypes } : {}),
      ...(body.locale ? { locale: body.locale } : {}),
    };
    let verificationId: string;
    if (reverification) {
      verificationId = await timed(ctx, 'session', () => startReverification(deps.sessions, key, reverification.previousVerificationId, proposed));
    } else {
      try {
        verificationId = await timed(ctx, 'session', () => deps.sessions.create(proposed));
      } catch (error) {
        if (error instanceof SessionAlreadyUsedError) throw problems.sessionAlreadyUsed();
        throw error;
      }
    }
    deps.crashAfter('initiate.session-stored');
    const ref = { tenantId, sessionId: body.sessionId, verificationId };
    // This execution created the verification (an earlier execution of the request chose another id).
    const newVerification = verificationId === proposed.verificationId;
    // Undoes what this request wrote, if the workflow cannot start.
    const undo = async () => {
      if (verificationDataRef) await deps.verificationData.remove(verificationDataRef);
      await (reverification ? deps.sessions.abandonReverification(key, reverification.previousVerificationId, verificationId) : deps.sessions.remove(key));
      await deps.openVerifications.release(ref);
    };

    // Profile §Quotas: a slot per open verification, taken once the verificationId is known (a
    // retry of this request finds the slot it took) and before anything lives long: a refused
    // initiate leaves no session, data or workflow behind, and the sessionId stays usable.
    const { maxOpenVerifications } = effectiveQuotas(ctx.state.tenant.quotas, deps.quotas);
    if (!(await timed(ctx, 'quota', () => deps.openVerifications.acquire(ref, maxOpenVerifications, { newVerification })))) {
      await undo();
      throw problems.tooManyOpenVerifications(maxOpenVerifications, deps.quotas.openVerificationsRetryAfterSeconds);
    }
    deps.crashAfter('initiate.quota-slot-taken');

    let decision: VerificationDecision;
    try {
      if (verificationDataRef) {
        await timed(ctx, 'data', () => deps.verificationData.save(ref, evidence, verificationDataRef));
        deps.crashAfter('initiate.data-stored');
      }
      decision = await timed(ctx, 'workflow', () =>
        deps.workflows.start({
          ...ref,
          credentialConfigurationIds: body.credentialConfigurationIds,
          request: {
            credentialConfigurationIds: proposed.credentialConfigurationIds,
            requestedDeviceCount: proposed.requestedDeviceCount,
            ...(proposed.supportedVerificationTypes ? { supportedVerificationTypes: proposed.supportedVerificationTypes } : {}),
          },
          initialDecisionWaitMs: deps.initialDecisionWaitMs,
          idleExpiryMs: deps.idleExpiryMs,
          limits: deps.limits,
          ...(verificationDataRef ? { verificationDataRef } : {}),
        }),
      );
      deps.crashAfter('initiate.workflow-started');
    } catch (error) {
      if (error instanceof WorkflowAlreadyClosedError) {
        // An earlier execution of this request started the workflow, and it has finished.
        const session = await deps.sessions.find(key, verificationId);
        if (!session) throw problems.sessionNotFound();
        decision = currentDecision(session);
        await deps.openVerifications.release(ref);
      } else if (error instanceof WorkflowNotStartedError) {
        await undo();
        throw problems.serviceUnavailable('The verification could not be started; retry later', error);
      } else if (error instanceof WorkflowStartUnknownError) {
        // Kept as written: the retry (same x-request-id) finds this verification and attaches to
        // its workflow, or starts it. Undoing could leave a workflow without its session.
        throw problems.serviceUnavailable('The verification could not be started; retry with the same x-request-id', error);
      } else {
        throw error;
      }
    }

    // A retry re-took the slot of a verification that had ended: free it again. (The workflow
    // frees the slot before an ended status becomes visible, so a new verification's is free.)
    if (isTerminal(decision.status) && !newVerification) await deps.openVerifications.release(ref);

    const response: VerificationStatus = { sessionId: body.sessionId, verificationId, ...decision } as VerificationStatus;
    ctx.status = 200;
    ctx.body = response;
  };
}

export const verificationInitiateRoute: ProtocolRoute<InitiateDeps> = {
  method: 'POST',
  path: '/verification/initiate',
  summary: 'Start a verification (S2S §Verification Initiate)',
  requestSchema: InitiateVerificationRequest,
  responseSchema: VerificationStatus,
  effects: 'write',
  steps: (deps) => [checkCredentialConfigurations(deps.catalogue), verifyNonce, startVerification(deps)],
};
