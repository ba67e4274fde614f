import type { VerificationDataItem, VerificationDataItemRequest } from '../schemas/verification';

/**
 * A pluggable check for one verification type (S2S §Verification Data: types are
 * extensible, "collision-resistant values such as URNs"). One module per type.
 */
export interface VerificationEvaluator {
  /** The verification type this evaluator understands. */
  readonly type: string;
  /** One line for the issuer metadata and the profile. */
  readonly description: string;
  evaluate(item: VerificationDataItem, context: EvaluationContext): Promise<ItemVerdict>;
}

export interface EvaluationContext {
  tenantId: string;
  sessionId: string;
  verificationId: string;
  credentialConfigurationIds: string[];
  /** Who produced the item (S2S §VerificationDataResponse). */
  origin: 'WALLET_SERVER' | 'WALLET_CLIENT';
}

export type ItemVerdict =
  | { verdict: 'satisfied' }
  | { verdict: 'needs_more'; request: VerificationDataItemRequest[] }
  | { verdict: 'rejected'; reasonCode: string; details?: string }
  /** Decided later by an asynchronous provider, through a verdict (profile §Verdicts). */
  | { verdict: 'pending' }
  /** Needs a person: the verification enters the manual review queue (profile §Manual review). */
  | { verdict: 'review'; reason: string };

export type EvaluatorRegistry = ReadonlyMap<string, VerificationEvaluator>;

export function createEvaluatorRegistry(evaluators: readonly VerificationEvaluator[]): EvaluatorRegistry {
  const registry = new Map<string, VerificationEvaluator>();
  for (const evaluator of evaluators) {
    if (registry.has(evaluator.type)) throw new Error(`two evaluators registered for ${evaluator.type}`);
    registry.set(evaluator.type, evaluator);
  }
  return registry;
}
