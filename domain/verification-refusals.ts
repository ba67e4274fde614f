import type { VerificationDecision } from './schemas/verification';
import { awaitsVerificationData, isTerminal } from './verification-state';

/**
 * Why a VerificationWorkflow refuses an Update (profile §Verification state machine): the
 * `type` of the ApplicationFailure its validator throws. Defined once, here, so that the
 * workflow (which may import only pure domain modules) and its clients agree; the Issuer API
 * maps each to a Problem type (api/refusal-problems.ts). A validator's refusal never enters the
 * workflow history.
 */
export const VerificationRefusal = {
  /** The verification has ended, or is being cancelled: it takes no more messages. */
  final: 'VerificationFinal',
  /** A supplement outside ADDITIONAL_INFO_REQUIRED and REJECTED (S2S §Supplement). */
  notAwaitingData: 'VerificationNotAwaitingData',
  /** The Update names another verificationId than the workflow's own (a superseded one). */
  wrongVerification: 'VerificationWrongVerification',
} as const;
export type VerificationRefusal = (typeof VerificationRefusal)[keyof typeof VerificationRefusal];

const refusals = new Set<string>(Object.values(VerificationRefusal));

export function isVerificationRefusal(type: unknown): type is VerificationRefusal {
  return typeof type === 'string' && refusals.has(type);
}

/**
 * Why a supplement is refused now, if it is: the supplement Update's validator asks this of the
 * workflow's decision, and /verification/supplement of the projection, to refuse early.
 */
export function supplementRefusal(decision: Pick<VerificationDecision, 'status'>): VerificationRefusal | undefined {
  if (isTerminal(decision.status)) return VerificationRefusal.final;
  if (!awaitsVerificationData(decision)) return VerificationRefusal.notAwaitingData;
  return undefined;
}
