import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lifecycleStates, statusListValueOf, transition, type LifecycleState } from '../../domain/credential-lifecycle';
import { reconcileAction, walletViews, type ReconcileAction, type WalletView } from '../../domain/credential-reconciliation';

/**
 * The reconciliation grid of profile §29 against domain/credential-reconciliation.ts, cell by
 * cell, and the rules the grid follows, computed from the code.
 */
const profile = readFileSync(path.resolve(__dirname, '../../docs/profile.md'), 'utf8');
const header = `| issuer \\ wallet | ${walletViews.join(' | ')} |`;

function documentedGrid(): Map<string, string[]> {
  const lines = profile.split('\n');
  const at = lines.indexOf(header);
  if (at < 0) throw new Error('the reconciliation grid of profile §29 is missing or its columns changed');
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(at + 2)) {
    if (!line.startsWith('|')) break;
    const [state, ...cells] = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    rows.set(state as string, cells);
  }
  return rows;
}

function cellOf(action: ReconcileAction): string {
  switch (action.kind) {
    case 'none':
      return '—';
    case 'apply_wallet_move':
      return `apply ${action.action}`;
    case 'tell_wallet':
      return `tell ${action.action}`;
    case 'report':
      return `report (${action.reason})`;
  }
}

const cells = lifecycleStates.flatMap((issuer) => walletViews.map((wallet) => [issuer, wallet] as [LifecycleState, WalletView]));

describe('the reconciliation grid (profile §29)', () => {
  it('has one documented row per issuer state, with a cell per Wallet Server view', () => {
    const grid = documentedGrid();
    expect([...grid.keys()]).toEqual([...lifecycleStates]);
    for (const row of grid.values()) expect(row).toHaveLength(walletViews.length);
  });

  it.each(cells)('issuer %s, Wallet Server %s: the documented cell is the code’s', (issuer, wallet) => {
    const documented = documentedGrid().get(issuer)?.[walletViews.indexOf(wallet)];
    expect(documented).toBe(cellOf(reconcileAction(issuer, wallet)));
  });

  it('applies only moves the Wallet Server may make from the issuer’s state (the transition table)', () => {
    for (const [issuer, wallet] of cells) {
      const action = reconcileAction(issuer, wallet);
      if (action.kind !== 'apply_wallet_move') continue;
      const move = transition(issuer, 'WALLET', action.action);
      expect(move).toEqual({ outcome: 'COMPLETED', next: wallet });
    }
  });

  it('tells the Wallet Server the issuer’s own state: its suspension, the lifting of one, or a revocation/unlink', () => {
    for (const [issuer, wallet] of cells) {
      const action = reconcileAction(issuer, wallet);
      if (action.kind !== 'tell_wallet') continue;
      const expected = issuer === 'SUSPENDED_ISSUER' ? 'SUSPEND' : issuer === 'UNLINKED' || issuer === 'CANCELLED' ? 'UNLINK' : 'RESUME';
      expect([issuer, wallet, action.action]).toEqual([issuer, wallet, expected]);
      // RESUME is told only to a Wallet Server that still shows the issuer's suspension.
      if (expected === 'RESUME') expect(wallet).toBe('SUSPENDED_ISSUER');
    }
  });

  it('never repairs towards credentials that are usable again once revoked, and never guesses where only a person can decide', () => {
    for (const [issuer, wallet] of cells) {
      const action = reconcileAction(issuer, wallet);
      if (statusListValueOf(issuer) === 0x01) expect(action.kind === 'apply_wallet_move').toBe(false);
      // A Wallet Server claiming CANCELLED (only the issuer cancels) is never applied.
      if (wallet === 'CANCELLED' && issuer !== 'CANCELLED' && issuer !== 'UNLINKED')
        expect(action).toEqual({ kind: 'report', reason: 'wallet_claims_issuer_state' });
    }
  });

  it('agrees when both views are the same state', () => {
    for (const state of lifecycleStates) expect(reconcileAction(state, state)).toEqual({ kind: 'none' });
  });
});
