import type { VerificationDataItem, VerificationDataItemRequest } from '../schemas/verification';

/** A verification type as the issuer metadata lists it (verification_types_supported). */
export interface VerificationTypeDescription {
  /** The verification type (S2S §Verification Data: "collision-resistant values such as URNs"). */
  readonly type: string;
  /** One line for the issuer metadata and the profile. */
  readonly description: string;
}

/**
 * A pluggable check for one verification type (S2S §Verification Data: types are
 * extensible). One module per type; its description is exported apart, so that listing the
 * type needs none of the I/O that checking it does.
 */
export interface VerificationEvaluator extends VerificationTypeDescription {
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
  /**
   * Decided later by the asynchronous verification provider named here, through a verdict
   * (profile §Verdicts): only that provider's credential may report it (store/provider-requests.ts).
   */
  | { verdict: 'pending'; provider: string }
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
