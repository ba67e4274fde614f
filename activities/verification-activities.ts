import { ApplicationFailure } from '@temporalio/activity';
import type { CredentialCatalogue } from '../domain/credential-configurations';
import type { VerificationDecision } from '../domain/schemas/verification';
import { decideVerification, type EvaluatedItem } from '../domain/verification-policy';
import type { EvaluatorRegistry } from '../domain/verification-types/evaluator';
import type { VerificationDataRepository } from '../store/verification-data';
import type { VerificationSessionRepository } from '../store/verification-sessions';

export interface VerificationActivityDeps {
  sessions: VerificationSessionRepository;
  verificationData: VerificationDataRepository;
  evaluators: EvaluatorRegistry;
  catalogue: CredentialCatalogue;
}

/** Identifies one verification: identifiers only, so activity inputs carry no personal data. */
export interface VerificationRef {
  tenantId: string;
  sessionId: string;
  verificationId: string;
}

/** Activities of the VerificationWorkflow. All I/O of a verification happens here. */
export function createVerificationActivities(deps: VerificationActivityDeps) {
  return {
    /**
     * Loads the session and its verification data by reference, runs each item through its
     * evaluator and combines the verdicts. Returns only the decision: the data stays in MongoDB.
     */
    async evaluateVerificationData(input: VerificationRef & { verificationDataRef?: string }): Promise<VerificationDecision> {
      const session = await deps.sessions.find(input, input.verificationId);
      if (!session) throw ApplicationFailure.nonRetryable(`verification ${input.verificationId} has no session record`, 'SessionMissing');
      const data = input.verificationDataRef ? await deps.verificationData.load(input.tenantId, input.verificationDataRef) : null;
      if (input.verificationDataRef && !data) {
        throw ApplicationFailure.nonRetryable(`verification data ${input.verificationDataRef} is missing`, 'VerificationDataMissing');
      }

      const context = { tenantId: input.tenantId, credentialConfigurationIds: session.credentialConfigurationIds, origin: 'WALLET_SERVER' as const };
      const evaluated: EvaluatedItem[] = [];
      for (const item of data?.serverVerificationDataItem ?? []) {
        const evaluator = deps.evaluators.get(item.type);
        if (evaluator) evaluated.push({ type: item.type, verdict: await evaluator.evaluate(item, context) });
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

    /** Projects a status into the session record that /verification/status reads. */
    async recordVerificationStatus(input: VerificationRef & { decision: VerificationDecision; statusVersion: number }): Promise<void> {
      await deps.sessions.recordDecision(input, input.verificationId, input.decision, input.statusVersion);
    },
  };
}
export type VerificationActivities = ReturnType<typeof createVerificationActivities>;
