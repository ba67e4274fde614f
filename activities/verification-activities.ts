import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { deterministicRequestId, type WalletServerClient } from '../clients/wallet-servers/wallet-server-client';
import type { CredentialCatalogue } from '../domain/credential-configurations';
import type { VerificationDecision } from '../domain/schemas/verification';
import { isTerminal } from '../domain/verification-state';
import { decideVerification, decisionFromVerdict, type EvaluatedItem } from '../domain/verification-policy';
import type { EvaluationContext, EvaluatorRegistry } from '../domain/verification-types/evaluator';
import type { ReviewCaseRepository } from '../store/review-cases';
import type { TenantRepository } from '../store/tenants';
import type { VerificationDataRepository } from '../store/verification-data';
import { toVerificationStatus, type VerificationSession, type VerificationSessionRepository } from '../store/verification-sessions';
import type { VerificationVerdict } from '../workflows/verification/messages';
import { outboundAttemptFailure } from './outbound-attempt';

export interface VerificationActivityDeps {
  sessions: VerificationSessionRepository;
  verificationData: VerificationDataRepository;
  tenants: TenantRepository;
  evaluators: EvaluatorRegistry;
  catalogue: CredentialCatalogue;
  walletServers: WalletServerClient;
  reviewCases: ReviewCaseRepository;
  /** Retry-After values of Wallet Servers are honoured up to this (profile §14). */
  retryAfterCeilingMs: number;
}

/** Identifies one verification: identifiers only, so activity inputs carry no personal data. */
export interface VerificationRef {
  tenantId: string;
  sessionId: string;
  verificationId: string;
}

/** Activities of the VerificationWorkflow. All I/O of a verification happens here. */
export function createVerificationActivities(deps: VerificationActivityDeps) {
  async function loadSession(ref: VerificationRef): Promise<VerificationSession> {
    const session = await deps.sessions.find(ref, ref.verificationId);
    if (!session) throw ApplicationFailure.nonRetryable(`verification ${ref.verificationId} has no session record`, 'SessionMissing');
    return session;
  }

  return {
    /**
     * Loads the session and the referenced verification data, runs each item through the
     * evaluator of its type and combines the verdicts (domain/verification-policy.ts). Returns
     * only the decision: the data stays in MongoDB.
     */
    async evaluateVerificationData(input: VerificationRef & { verificationDataRef?: string }): Promise<VerificationDecision> {
      const session = await loadSession(input);
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
        const context: EvaluationContext = { tenantId: input.tenantId, sessionId: input.sessionId, verificationId: input.verificationId, credentialConfigurationIds: session.credentialConfigurationIds, origin };
        for (const item of items) {
          const evaluator = deps.evaluators.get(item.type);
          if (evaluator) evaluated.push({ type: item.type, verdict: await evaluator.evaluate(item, context) });
        }
      }
      // Evidence that needs a person enters the review queue; the decision comes back as a verdict.
      const reviewReasons = evaluated.flatMap((e) => (e.verdict.verdict === 'review' ? [e.verdict.reason] : []));
      if (reviewReasons.length > 0 && input.verificationDataRef) {
        await deps.reviewCases.open({
          tenantId: input.tenantId,
          sessionId: input.sessionId,
          verificationId: input.verificationId,
          credentialConfigurationIds: session.credentialConfigurationIds,
          evidenceRef: input.verificationDataRef,
          reasons: reviewReasons,
        });
      }
      return decideVerification({
        catalogue: deps.catalogue,
        credentialConfigurationIds: session.credentialConfigurationIds,
        requestedDeviceCount: session.requestedDeviceCount,
        ...(session.supportedVerificationTypes ? { walletSupportedTypes: session.supportedVerificationTypes } : {}),
        availableTypes: new Set(deps.evaluators.keys()),
        evaluated,
      });
    },

    /** Turns a provider's or reviewer's verdict into the session's decision. */
    async decideFromVerdict(input: VerificationRef & { verdict: VerificationVerdict }): Promise<VerificationDecision> {
      const session = await loadSession(input);
      log.info('verdict applied', { source: input.verdict.source, decidedBy: input.verdict.decidedBy, outcome: input.verdict.outcome });
      return decisionFromVerdict(input.verdict, { catalogue: deps.catalogue, credentialConfigurationIds: session.credentialConfigurationIds, requestedDeviceCount: session.requestedDeviceCount });
    },

    /** Projects a status into the session record that /verification/status reads. */
    async recordVerificationStatus(input: VerificationRef & { decision: VerificationDecision; statusVersion: number }): Promise<void> {
      await deps.sessions.recordDecision(input, input.verificationId, input.decision, input.statusVersion);
      // A verification that ends takes its open review cases out of the queue.
      if (isTerminal(input.decision.status)) await deps.reviewCases.closeForVerification(input.verificationId, input.decision.status);
    },

    /**
     * POSTs the session's current VerificationStatus to the Wallet Server's /verification/notify
     * (S2S §Verification Notification), once: an attempt that does not deliver fails with the
     * delay before the next one (activities/outbound-attempt.ts), and Temporal does the waiting.
     * The x-request-id is derived from the verification and the status version sent, so every
     * attempt of one notification carries the same id. A delivered version is recorded, so
     * notifications never acknowledged can be found (store: listUnacknowledgedNotifications).
     */
    async notifyWalletServer(input: VerificationRef & { statusVersion: number }): Promise<void> {
      const [tenant, session] = await Promise.all([deps.tenants.findById(input.tenantId), loadSession(input)]);
      if (!tenant) throw ApplicationFailure.nonRetryable(`tenant ${input.tenantId} is not registered`, 'TenantMissing');
      const status = toVerificationStatus(session);
      const requestId = deterministicRequestId('verification-notify', input.verificationId, String(session.statusVersion));
      const answer = await deps.walletServers.post(`${tenant.notificationBaseUrl}/verification/notify`, status, requestId);
      if (answer.outcome === 'delivered') {
        await deps.sessions.recordNotificationDelivered(input, input.verificationId, session.statusVersion);
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
