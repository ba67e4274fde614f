import { CredentialStatus, type CredentialStatus as Status, type LifecycleState, type WalletAction } from './credential-lifecycle';

/**
 * The reconciliation grid of a credential instance (S2S §Get Credential Status, Reconciliation:
 * the draft leaves it TODO; profile §29 defines it). The issuer's view is its own state; the
 * Wallet Server's view is what its `/credential/status` answers (`NOT_FOUND` when it does not
 * know the instance). Each pair gives one action. Pure: the workflow and the tests read it.
 *
 * The rule behind the grid: each party is the authority on its own moves (the transition table).
 * A wallet-side move the issuer missed (SUSPENDED_WALLET, a resume of it, UNLINKED) is applied as
 * if the Wallet Server had asked for it; an issuer-side state the Wallet Server missed is told to
 * it again; anything else (a Wallet Server claiming a state only the issuer can set, or having
 * lost an instance) is reported for a person, never repaired by guessing.
 */
export type WalletView = Status | 'NOT_FOUND';

export type ReconcileAction =
  /** The views agree (or differ only while the Wallet Server is still provisioning). */
  | { kind: 'none' }
  /** Apply the Wallet Server's own move, which the issuer missed, as the WALLET party. */
  | { kind: 'apply_wallet_move'; action: WalletAction }
  /** Tell the Wallet Server the issuer's state again (its /credential/manage). */
  | { kind: 'tell_wallet'; action: WalletAction }
  /** The views differ in a way neither side may repair alone: recorded for an operator. */
  | { kind: 'report'; reason: 'wallet_claims_issuer_state' | 'wallet_lost_instance' | 'wallet_state_unknown' };

export const walletViews: readonly WalletView[] = [...Object.values(CredentialStatus), 'NOT_FOUND'];

const none: ReconcileAction = { kind: 'none' };
const apply = (action: WalletAction): ReconcileAction => ({ kind: 'apply_wallet_move', action });
const tell = (action: WalletAction): ReconcileAction => ({ kind: 'tell_wallet', action });
const report = (reason: Extract<ReconcileAction, { kind: 'report' }>['reason']): ReconcileAction => ({ kind: 'report', reason });

/**
 * An instance that has ended (UNLINKED by either party, CANCELLED by the issuer): a Wallet Server
 * that still holds it is told to unlink; one that has let it go agrees, whatever it says.
 */
const ended: Readonly<Record<WalletView, ReconcileAction>> = {
  IN_PROCESS: tell('UNLINK'),
  ACTIVE: tell('UNLINK'),
  SUSPENDED_WALLET: tell('UNLINK'),
  SUSPENDED_ISSUER: tell('UNLINK'),
  UNLINKED: none,
  CANCELLED: none,
  UNKNOWN: none,
  NOT_FOUND: none,
};

/**
 * The grid (profile §29, Reconciliation): rows are the issuer's state, columns the Wallet
 * Server's answer. IN_PROCESS on the wallet side while the issuer has issued is a provisioning
 * still under way, not a difference.
 */
export const reconciliationGrid: Readonly<Record<LifecycleState, Readonly<Record<WalletView, ReconcileAction>>>> = {
  IN_PROCESS: {
    IN_PROCESS: none,
    ACTIVE: none,
    SUSPENDED_WALLET: none,
    SUSPENDED_ISSUER: report('wallet_claims_issuer_state'),
    UNLINKED: apply('UNLINK'),
    CANCELLED: report('wallet_claims_issuer_state'),
    UNKNOWN: none,
    NOT_FOUND: none,
  },
  ACTIVE: {
    IN_PROCESS: none,
    ACTIVE: none,
    SUSPENDED_WALLET: apply('SUSPEND'),
    SUSPENDED_ISSUER: tell('RESUME'),
    UNLINKED: apply('UNLINK'),
    CANCELLED: report('wallet_claims_issuer_state'),
    UNKNOWN: report('wallet_state_unknown'),
    NOT_FOUND: report('wallet_lost_instance'),
  },
  SUSPENDED_WALLET: {
    IN_PROCESS: none,
    ACTIVE: apply('RESUME'),
    SUSPENDED_WALLET: none,
    SUSPENDED_ISSUER: tell('RESUME'),
    UNLINKED: apply('UNLINK'),
    CANCELLED: report('wallet_claims_issuer_state'),
    UNKNOWN: report('wallet_state_unknown'),
    NOT_FOUND: report('wallet_lost_instance'),
  },
  SUSPENDED_ISSUER: {
    IN_PROCESS: tell('SUSPEND'),
    ACTIVE: tell('SUSPEND'),
    SUSPENDED_WALLET: tell('SUSPEND'),
    SUSPENDED_ISSUER: none,
    UNLINKED: apply('UNLINK'),
    CANCELLED: report('wallet_claims_issuer_state'),
    UNKNOWN: report('wallet_state_unknown'),
    NOT_FOUND: report('wallet_lost_instance'),
  },
  UNLINKED: ended,
  CANCELLED: ended,
};

export function reconcileAction(issuer: LifecycleState, wallet: WalletView): ReconcileAction {
  return reconciliationGrid[issuer][wallet];
}
