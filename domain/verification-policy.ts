import { ReasonCode } from './reason-codes';
import { requirementSets, type CredentialCatalogue } from './credential-configurations';
import type { VerificationDataItemRequest, VerificationDecision } from './schemas/verification';
import type { VerdictDecision } from './verdicts';
import { VerificationState } from './verification-state';
import type { ItemVerdict } from './verification-types/evaluator';

export interface EvaluatedItem {
  type: string;
  verdict: ItemVerdict;
}

export interface PolicyInput {
  catalogue: CredentialCatalogue;
  credentialConfigurationIds: string[];
  requestedDeviceCount: number;
  /** The Wallet Client Instance's supportedVerificationTypes; undefined when it sent none. */
  walletSupportedTypes?: string[];
  /** Types with a registered evaluator on this server. */
  availableTypes: ReadonlySet<string>;
  evaluated: EvaluatedItem[];
}

function policiesFor(catalogue: CredentialCatalogue, ids: readonly string[]) {
  return ids.map((id) => {
    const policy = catalogue.get(id);
    if (!policy) throw new Error(`credential configuration ${id} is not in the catalogue`);
    return policy;
  });
}

/** APPROVED for all requested configurations; authorizedDeviceCount within every configuration's maximum. */
export function approvalDecision(catalogue: CredentialCatalogue, credentialConfigurationIds: string[], requestedDeviceCount: number): VerificationDecision {
  const maxDevices = Math.min(...policiesFor(catalogue, credentialConfigurationIds).map((policy) => policy.maxDevices));
  return {
    status: VerificationState.approved,
    credentialConfigurationIds: [...credentialConfigurationIds],
    authorizedDeviceCount: Math.max(1, Math.min(requestedDeviceCount, maxDevices)),
  };
}

/** The decision an asynchronous verdict stands for (profile §Verdicts). */
export function decisionFromVerdict(
  verdict: VerdictDecision,
  session: { catalogue: CredentialCatalogue; credentialConfigurationIds: string[]; requestedDeviceCount: number },
): VerificationDecision {
  switch (verdict.outcome) {
    case 'APPROVED':
      return approvalDecision(session.catalogue, session.credentialConfigurationIds, session.requestedDeviceCount);
    case 'DENIED':
      return {
        status: VerificationState.denied,
        reasonCode: verdict.reasonCode ?? ReasonCode.deniedByIssuer,
        deniedMessage: verdict.message ?? 'The issuer could not verify the holder.',
      };
    case 'REJECTED':
      return {
        status: VerificationState.rejected,
        reasonCode: verdict.reasonCode ?? ReasonCode.rejectedByIssuer,
        ...(verdict.message ? { rejectedDetails: verdict.message } : {}),
      };
    case 'ADDITIONAL_INFO_REQUIRED':
      return { status: VerificationState.additionalInfoRequired, verificationDataRequest: { verificationDataItems: verdict.request ?? [] } };
  }
}

/**
 * Combines per-item verdicts into the session's status (profile §Verification policy):
 * APPROVED when every requested configuration has a satisfied accepted type; otherwise
 * REJECTED when an item was rejected; otherwise ADDITIONAL_INFO_REQUIRED with the
 * evaluators' follow-up requests or, with none, a request for any accepted type the wallet
 * supports; DENIED when no accepted type is one the wallet supports.
 */
export function decideVerification(input: PolicyInput): VerificationDecision {
  const satisfied = new Set(input.evaluated.filter((e) => e.verdict.verdict === 'satisfied').map((e) => e.type));
  const policies = policiesFor(input.catalogue, input.credentialConfigurationIds);

  if (policies.every((policy) => requirementSets(policy).some((set) => set.every((type) => satisfied.has(type))))) {
    return approvalDecision(input.catalogue, input.credentialConfigurationIds, input.requestedDeviceCount);
  }

  for (const { verdict } of input.evaluated) {
    if (verdict.verdict === 'rejected') {
      return { status: VerificationState.rejected, reasonCode: verdict.reasonCode, ...(verdict.details ? { rejectedDetails: verdict.details } : {}) };
    }
  }

  if (input.evaluated.some((e) => e.verdict.verdict === 'pending' || e.verdict.verdict === 'review')) return { status: VerificationState.pending };

  const followUps = input.evaluated.flatMap((e) => (e.verdict.verdict === 'needs_more' ? e.verdict.request : []));
  if (followUps.length > 0) {
    return { status: VerificationState.additionalInfoRequired, verificationDataRequest: { verificationDataItems: followUps } };
  }

  const usable = (type: string) => input.availableTypes.has(type) && (input.walletSupportedTypes?.includes(type) ?? true);
  const requests: VerificationDataItemRequest[] = [];
  for (const policy of policies) {
    for (const set of requirementSets(policy)) {
      if (!set.every(usable)) continue;
      for (const type of set) {
        if (!satisfied.has(type) && !requests.some((r) => r.type === type)) {
          // Within a combination every type is needed; alone, any one accepted type suffices.
          requests.push({ type, id: `${type}#${requests.length + 1}`, required: set.length > 1 });
        }
      }
    }
  }
  if (requests.length === 0) {
    return {
      status: VerificationState.denied,
      reasonCode: ReasonCode.noUsableVerificationType,
      deniedMessage: 'This wallet supports none of the verification methods the issuer accepts for the requested credentials.',
    };
  }
  return { status: VerificationState.additionalInfoRequired, verificationDataRequest: { verificationDataItems: requests } };
}
