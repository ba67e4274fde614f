import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { deterministicRequestId, type WalletServerClient } from '../clients/wallet-servers/wallet-server-client';
import type { CredentialCatalogue } from '../domain/credential-configurations';
import type { VerificationDecision, VerificationStatus } from '../domain/schemas/verification';
import { isTerminal, VerificationState } from '../domain/verification-state';
import { decideVerification, decisionFromVerdict, type EvaluatedItem } from '../domain/verification-policy';
import type { EvaluationContext, EvaluatorRegistry } from '../domain/verification-types/evaluator';
import type { ProviderRequestRepository } from '../store/provider-requests';
import type { ReviewCaseRepository } from '../store/review-cases';
import type { OpenVerificationRepository } from '../store/open-verifications';
import type { TenantRepository } from '../store/tenants';
import type { VerificationDataRepository } from '../store/verification-data';
import { SessionMissingError, toVerificationStatus, type VerificationSession, type VerificationSessionRepository } from '../store/verification-sessions';
import type { VerificationVerdict } from '../workflows/verification/messages';
import type { MessageProof } from '../domain/message-proof';
import type { MessageProofs } from '../crypto/message-proof';
import { verificationWorkflowId } from '../domain/workflow-ids';
import { outboundAttemptFailure, reachableTenant } from './outbound-attempt';
import { issuerMetrics } from '../observability/metrics';
import type { PendingWait } from '../domain/waiting-for';

export interface VerificationActivityDeps {
  sessions: VerificationSessionRepository;
  verificationData: VerificationDataRepository;
  tenants: Pick<TenantRepository, 'findById'>;
  evaluators: EvaluatorRegistry;
  catalogue: CredentialCatalogue;
  walletServers: WalletServerClient;
  reviewCases: ReviewCaseRepository;
  /** The tenants' open-verification slots (profile §Quotas): an ended verification frees its own. */
  openVerifications: Pick<OpenVerificationRepository, 'release'>;
  /** Which providers a verification waits for, so only they may report its verdict. */
  providerRequests: Pick<ProviderRequestRepository, 'record' | 'askedFor'>;
  /** Retry-After values of Wallet Servers are honoured up to this (profile §14). */
  retryAfterCeilingMs: number;
  /** Checks verdicts' proof of origin. */
  proofs: Pick<MessageProofs, 'verify'>;
}

/** Identifies one verification: identifiers only, so activity inputs carry no personal data. */
export interface VerificationRef {
  tenantId: string;
  sessionId: string;
  verificationId: string;
}

/**
 * What a verification asked for (identifiers and counts only), carried in the workflow's input
 * so that evaluating does not read the session back; older workflows lack it and read it.
 */
export interface VerificationRequestSummary {
  credentialConfigurationIds: string[];
  requestedDeviceCount: number;
  supportedVerificationTypes?: string[];
}

/** Activities of the VerificationWorkflow. All I/O of a verification happens here. */
export function createVerificationActivities(deps: VerificationActivityDeps) {
  async function loadSession(ref: VerificationRef): Promise<VerificationSession> {
    const session = await deps.sessions.find(ref, ref.verificationId);
    if (!session) throw ApplicationFailure.nonRetryable(`verification ${ref.verificationId} has no session record`, 'SessionMissing');
    return session;
  }

  function proofHolds(ref: VerificationRef, message: string, payload: unknown, proof: MessageProof | undefined): boolean {
    const valid = deps.proofs.verify(verificationWorkflowId(ref), message, payload, proof);
    if (!valid) log.warn(`${message} refused: no valid proof of origin`, { verificationId: ref.verificationId });
    return valid;
  }

  return {
    /**
     * Loads the session and the referenced verification data, runs each item through the
     * evaluator of its type and combines the verdicts (domain/verification-policy.ts). Returns
     * only the decision: the data stays in MongoDB.
     */
    async evaluateVerificationData(
      input: VerificationRef & { verificationDataRef?: string; request?: VerificationRequestSummary },
    ): Promise<VerificationDecision> {
      const session = input.request ?? (await loadSession(input));
      const evidence = input.verificationDataRef ? await deps.verificationData.load(input.tenantId, input.verificationDataRef) : null;
      if (input.verificationDataRef && !evidence) {
        throw ApplicationFailure.nonRetryable(`verification data ${input.verificationDataRef} is missing`, 'VerificationDataMissing');
      }
      const evaluated: EvaluatedItem[] = [];
      // Wallet Server assessments that name a verification type are evaluated like its items
      // (profile §Verification data); the others are kept for reviewers.
      const assessments = (evidence?.additionalAssessments ?? [])
        .filter((a) => typeof a.type === 'string')
        .map((a, i) => ({ ...a, id: typeof a.id === 'string' ? a.id : `assessment-${i + 1}`, type: a.type as string }));
      const sources = [
        { origin: 'WALLET_CLIENT' as const, items: evidence?.clientItems ?? [] },
        { origin: 'WALLET_SERVER' as const, items: [...(evidence?.serverItems ?? []), ...assessments] },
      ];
      for (const { origin, items } of sources) {
        const context: EvaluationContext = {
          tenantId: input.tenantId,
          sessionId: input.sessionId,
          verificationId: input.verificationId,
          credentialConfigurationIds: session.credentialConfigurationIds,
          origin,
        };
        for (const item of items) {
          const evaluator = deps.evaluators.get(item.type);
          if (evaluator) evaluated.push({ type: item.type, verdict: await evaluator.evaluate(item, context) });
        }
      }
      const decision = decideVerification({
        catalogue: deps.catalogue,
        credentialConfigurationIds: session.credentialConfigurationIds,
        requestedDeviceCount: session.requestedDeviceCount,
        ...(session.supportedVerificationTypes ? { walletSupportedTypes: session.supportedVerificationTypes } : {}),
        availableTypes: new Set(deps.evaluators.keys()),
        evaluated,
      });
      // Evidence that needs a person enters the review queue, when the decision waits for it
      // (PENDING; approved or rejected on other grounds, nobody needs to look); the reviewer's
      // decision comes back as a verdict. So review cases exist only for verifications that
      // were PENDING, which is when recordVerificationStatus has cases to close.
      // Providers are asked only when the decision waits for them (PENDING), and recorded before
      // that status is projected: a provider can report only once the API sees PENDING, and by
      // then its request is on record (profile §12).
      const askedProviders = evaluated.flatMap((e) => (e.verdict.verdict === 'pending' ? [e.verdict.provider] : []));
      if (decision.status === VerificationState.pending && askedProviders.length > 0) await deps.providerRequests.record(input, askedProviders);
      const reviewReasons = evaluated.flatMap((e) => (e.verdict.verdict === 'review' ? [e.verdict.reason] : []));
      if (decision.status === VerificationState.pending && reviewReasons.length > 0 && input.verificationDataRef) {
        await deps.reviewCases.open({
          tenantId: input.tenantId,
          sessionId: input.sessionId,
          verificationId: input.verificationId,
          credentialConfigurationIds: session.credentialConfigurationIds,
          evidenceRef: input.verificationDataRef,
          reasons: reviewReasons,
        });
      }
      return decision;
    },

    /**
     * Who a PENDING verification was left to (domain/waiting-for.ts): its open review case and the
     * providers it asked. Read-only; the S2sWaitingFor search attribute shows it.
     */
    async describePendingWait(input: VerificationRef): Promise<PendingWait> {
      const [reviewCaseId, providers] = await Promise.all([deps.reviewCases.openCaseOf(input.verificationId), deps.providerRequests.askedFor(input)]);
      return { ...(reviewCaseId ? { reviewCaseId } : {}), providers };
    },

    /** Whether a supplement or cancellation carries the API's proof of origin (crypto/message-proof.ts). */
    async verifyUpdateProof(
      input: VerificationRef & { message: 'supplement' | 'cancel'; payload: Record<string, unknown>; proof?: MessageProof },
    ): Promise<boolean> {
      return proofHolds(input, input.message, input.payload, input.proof);
    },

    /** Whether a verdict carries the API's proof of origin (crypto/message-proof.ts). */
    async verifyVerdictProof(input: VerificationRef & { verdict: VerificationVerdict; proof?: MessageProof }): Promise<boolean> {
      return proofHolds(input, 'verdict', input.verdict, input.proof);
    },

    /** Turns a provider's or reviewer's verdict into the session's decision. */
    async decideFromVerdict(input: VerificationRef & { verdict: VerificationVerdict; request?: VerificationRequestSummary }): Promise<VerificationDecision> {
      const session = input.request ?? (await loadSession(input));
      log.info('verdict applied', { source: input.verdict.source, decidedBy: input.verdict.decidedBy, outcome: input.verdict.outcome });
      return decisionFromVerdict(input.verdict, {
        catalogue: deps.catalogue,
        credentialConfigurationIds: session.credentialConfigurationIds,
        requestedDeviceCount: session.requestedDeviceCount,
      });
    },

    /** Projects a status into the session record that /verification/status reads. */
    async recordVerificationStatus(
      input: VerificationRef & { decision: VerificationDecision; statusVersion: number; mayHaveReviewCases?: boolean },
    ): Promise<void> {
      try {
        await deps.sessions.recordDecision(input, input.verificationId, input.decision, input.statusVersion);
      } catch (error) {
        // No retry can bring the session back: fail the workflow (reconciliation then sees it).
        if (error instanceof SessionMissingError) throw ApplicationFailure.nonRetryable(error.message, 'SessionMissing');
        throw error;
      }
      issuerMetrics.verificationDecisions.inc({ status: input.decision.status });
      // A verification that ends takes its open review cases out of the queue (only one that was
      // PENDING can have any; workflows started before the flag existed send none: look anyway).
      if (isTerminal(input.decision.status) && input.mayHaveReviewCases !== false)
        await deps.reviewCases.closeForVerification(input.verificationId, input.decision.status);
      // Profile §Quotas: an ended verification no longer counts against its tenant's cap.
      if (isTerminal(input.decision.status)) await deps.openVerifications.release(input);
    },

    /**
     * POSTs the session's current VerificationStatus to the Wallet Server's /verification/notify
     * (S2S §Verification Notification), once: an attempt that does not deliver fails with the
     * delay before the next one (activities/outbound-attempt.ts), and Temporal does the waiting.
     * The x-request-id is derived from the verification and the status version sent, so every
     * attempt of one notification carries the same id. A delivered version is recorded, so
     * notifications never acknowledged can be found (store: listUnacknowledgedNotifications).
     */
    async notifyWalletServer(input: VerificationRef & { statusVersion: number; status?: VerificationStatus; recordDelivery?: boolean }): Promise<void> {
      // The workflow sends the status it notifies (no personal data: states, codes, requests);
      // reconciliation and older workflows send none, and the session's current one is sent.
      const [found, session] = await Promise.all([deps.tenants.findById(input.tenantId), input.status ? undefined : loadSession(input)]);
      const tenant = reachableTenant(found, input.tenantId);
      const status = input.status ?? toVerificationStatus(session as VerificationSession);
      const statusVersion = session ? session.statusVersion : input.statusVersion;
      const requestId = deterministicRequestId('verification-notify', input.verificationId, String(statusVersion));
      const answer = await deps.walletServers.post(`${tenant.notificationBaseUrl}/verification/notify`, status, requestId, {
        call: '/verification/notify',
        tenant: input.tenantId,
      });
      if (answer.outcome === 'delivered') {
        // Only a verification with a notification given up is ever listed as unacknowledged, so a
        // delivery needs recording only then (the notifier says so; absent: record).
        if (input.recordDelivery !== false) await deps.sessions.recordNotificationDelivered(input, input.verificationId, statusVersion);
        return;
      }
      throw outboundAttemptFailure(answer, {
        what: `notification ${requestId} of verification ${input.verificationId}`,
        attempt: Context.current().info.attempt,
        retryAfterCeilingMs: deps.retryAfterCeilingMs,
      });
    },

    /**
     * Marks a notification the notifier gave up on (S2S §Rate Limiting: after 3 retries), so a
     * reconciliation job finds it (store: listUnacknowledgedNotifications).
     */
    async recordNotificationAbandoned(input: VerificationRef & { statusVersion: number }): Promise<void> {
      await deps.sessions.recordNotificationAbandoned(input, input.verificationId, input.statusVersion);
    },
  };
}
export type VerificationActivities = ReturnType<typeof createVerificationActivities>;
