import { StatusValue } from './status-lists/status-list';

/**
 * The lifecycle of one credential instance (S2S §Get Credential Status, §Credential Manage;
 * profile §29). Pure and deterministic: the CredentialLifecycleWorkflow, the API and the tests
 * all read this one definition.
 */

/** S2S §Get Credential Status. UNKNOWN is only ever an answer, never a state an instance is in. */
export const CredentialStatus = {
  active: 'ACTIVE',
  suspendedIssuer: 'SUSPENDED_ISSUER',
  suspendedWallet: 'SUSPENDED_WALLET',
  unlinked: 'UNLINKED',
  inProcess: 'IN_PROCESS',
  cancelled: 'CANCELLED',
  unknown: 'UNKNOWN',
} as const;
export type CredentialStatus = (typeof CredentialStatus)[keyof typeof CredentialStatus];

/** The states an instance can be in (every status but UNKNOWN). */
export const lifecycleStates = [
  CredentialStatus.inProcess,
  CredentialStatus.active,
  CredentialStatus.suspendedWallet,
  CredentialStatus.suspendedIssuer,
  CredentialStatus.unlinked,
  CredentialStatus.cancelled,
] as const;
export type LifecycleState = (typeof lifecycleStates)[number];

/** Who asks for a change: the Wallet Server (`/credential/manage`) or the issuer's back office. */
export type LifecycleActor = 'WALLET' | 'ISSUER';

/** S2S §Credential Manage actions, and the issuer's own CANCEL (revocation, final). */
export const walletActions = ['SUSPEND', 'RESUME', 'UNLINK'] as const;
export const issuerActions = ['SUSPEND', 'RESUME', 'CANCEL'] as const;
export type WalletAction = (typeof walletActions)[number];
export type IssuerAction = (typeof issuerActions)[number];
export type LifecycleAction = WalletAction | IssuerAction;

/** S2S §Credential Manage `outcome`. This issuer answers COMPLETED, NO_CHANGE or FAILED; SCHEDULED is only read in a Wallet Server's answers. */
export type ManageOutcome = 'COMPLETED' | 'SCHEDULED' | 'FAILED' | 'NO_CHANGE';

/** Machine-readable `failureReason`s of a refused change (profile §29). */
export const lifecycleFailureReasons = {
  /** Nothing has been issued for the instance yet: there is nothing to suspend or resume. */
  notIssued: 'not_issued',
  /** Only the issuer lifts its own suspension. */
  suspendedByIssuer: 'suspended_by_issuer',
  /** Only the Wallet Server lifts its own suspension. */
  suspendedByWallet: 'suspended_by_wallet',
  /** The credentials were removed from the device; the instance issues nothing more. */
  unlinked: 'unlinked',
  /** The credentials were revoked; CANCELLED is final. */
  cancelled: 'cancelled',
} as const;
export type LifecycleFailureReason = (typeof lifecycleFailureReasons)[keyof typeof lifecycleFailureReasons];

export type Transition =
  { outcome: 'COMPLETED'; next: LifecycleState } | { outcome: 'NO_CHANGE' } | { outcome: 'FAILED'; failureReason: LifecycleFailureReason };

const completed = (next: LifecycleState): Transition => ({ outcome: 'COMPLETED', next });
const noChange: Transition = { outcome: 'NO_CHANGE' };
const failed = (failureReason: LifecycleFailureReason): Transition => ({ outcome: 'FAILED', failureReason });
const { inProcess, active, suspendedWallet, suspendedIssuer, unlinked, cancelled } = CredentialStatus;
const reasons = lifecycleFailureReasons;

/**
 * The transition table (profile §29): for each state, what each party's action does. A party
 * never lifts the other's suspension; an issuer suspension takes over a wallet suspension;
 * UNLINKED ends the instance for the Wallet Server and CANCELLED for everyone (the credentials'
 * status entries become INVALID, which is final).
 */
export const transitionTable: Readonly<
  Record<LifecycleState, { WALLET: Readonly<Record<WalletAction, Transition>>; ISSUER: Readonly<Record<IssuerAction, Transition>> }>
> = {
  IN_PROCESS: {
    WALLET: { SUSPEND: failed(reasons.notIssued), RESUME: failed(reasons.notIssued), UNLINK: completed(unlinked) },
    ISSUER: { SUSPEND: failed(reasons.notIssued), RESUME: failed(reasons.notIssued), CANCEL: completed(cancelled) },
  },
  ACTIVE: {
    WALLET: { SUSPEND: completed(suspendedWallet), RESUME: noChange, UNLINK: completed(unlinked) },
    ISSUER: { SUSPEND: completed(suspendedIssuer), RESUME: noChange, CANCEL: completed(cancelled) },
  },
  SUSPENDED_WALLET: {
    WALLET: { SUSPEND: noChange, RESUME: completed(active), UNLINK: completed(unlinked) },
    ISSUER: { SUSPEND: completed(suspendedIssuer), RESUME: failed(reasons.suspendedByWallet), CANCEL: completed(cancelled) },
  },
  SUSPENDED_ISSUER: {
    WALLET: { SUSPEND: noChange, RESUME: failed(reasons.suspendedByIssuer), UNLINK: completed(unlinked) },
    ISSUER: { SUSPEND: noChange, RESUME: completed(active), CANCEL: completed(cancelled) },
  },
  UNLINKED: {
    WALLET: { SUSPEND: failed(reasons.unlinked), RESUME: failed(reasons.unlinked), UNLINK: noChange },
    ISSUER: { SUSPEND: failed(reasons.unlinked), RESUME: failed(reasons.unlinked), CANCEL: completed(cancelled) },
  },
  CANCELLED: {
    WALLET: { SUSPEND: failed(reasons.cancelled), RESUME: failed(reasons.cancelled), UNLINK: noChange },
    ISSUER: { SUSPEND: failed(reasons.cancelled), RESUME: failed(reasons.cancelled), CANCEL: noChange },
  },
};

export function isWalletAction(action: string): action is WalletAction {
  return (walletActions as readonly string[]).includes(action);
}

export function isIssuerAction(action: string): action is IssuerAction {
  return (issuerActions as readonly string[]).includes(action);
}

/** What `actor`'s `action` does to an instance in `state` (the table above); undefined for an action that party does not have. */
export function transition(state: LifecycleState, actor: LifecycleActor, action: string): Transition | undefined {
  if (actor === 'WALLET') return isWalletAction(action) ? transitionTable[state].WALLET[action] : undefined;
  return isIssuerAction(action) ? transitionTable[state].ISSUER[action] : undefined;
}

/**
 * The Token Status List value of the instance's credentials in each state (profile §29): VALID
 * while ACTIVE (IN_PROCESS has no credentials yet), SUSPENDED while either party suspends,
 * INVALID once unlinked or cancelled (final).
 */
export function statusListValueOf(state: LifecycleState): StatusValue {
  switch (state) {
    case inProcess:
    case active:
      return StatusValue.valid;
    case suspendedWallet:
    case suspendedIssuer:
      return StatusValue.suspended;
    case unlinked:
    case cancelled:
      return StatusValue.invalid;
  }
}

/** Whether a get may issue in `state`: not while suspended, never once unlinked or cancelled. */
export function issuesCredentials(state: LifecycleState): boolean {
  return state === inProcess || state === active;
}

/**
 * The action by which the issuer tells the Wallet Server of its own change (S2S §Credential
 * Manage, issuer → Wallet Server): the manage actions are SUSPEND, RESUME and UNLINK, so a
 * revocation (CANCEL) is told as UNLINK: the credentials are to be removed from the device.
 */
export function walletActionFor(action: IssuerAction): WalletAction {
  return action === 'CANCEL' ? 'UNLINK' : action;
}

/** Whether the state is final: the instance issues nothing more, whoever asks. */
export function isFinalLifecycleState(state: LifecycleState): boolean {
  return state === unlinked || state === cancelled;
}
