import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CredentialStatus,
  issuerActions,
  issuesCredentials,
  lifecycleStates,
  statusListValueOf,
  transition,
  walletActions,
  type LifecycleActor,
  type LifecycleState,
  type Transition,
} from '../../domain/credential-lifecycle';
import { isStatusChangeAllowed, StatusValue } from '../../domain/status-lists/status-list';

/**
 * docs/profile.md §29 writes the transition table of domain/credential-lifecycle.ts out for
 * people; this test reads that table back and holds it to the code, cell by cell, and checks
 * the rules of the lifecycle (S2S §Credential Manage, §Get Credential Status) on the code itself.
 */

const parties: readonly LifecycleActor[] = ['WALLET', 'ISSUER'];
/** Every action either party has, in the order of the table's columns. */
const actions: readonly string[] = [...new Set<string>([...walletActions, ...issuerActions])];
const tableHeader = '| state | party | SUSPEND | RESUME | UNLINK | CANCEL |';
const noSuchAction = '—';

/** How §29 writes one cell. */
function cellText(answer: Transition | undefined): string {
  if (answer === undefined) return noSuchAction;
  switch (answer.outcome) {
    case 'COMPLETED':
      return `→ ${answer.next}`;
    case 'NO_CHANGE':
      return 'NO_CHANGE';
    case 'FAILED':
      return `FAILED (${answer.failureReason})`;
  }
}

function markdownCells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

interface DocumentedTable {
  header: string[];
  rows: { state: string; party: string; cells: string[] }[];
}

/** The §29 transition table of docs/profile.md: the lines after its header line up to the first line that is not a table row. */
function documentedTransitionTable(): DocumentedTable {
  const profile = readFileSync(path.join(__dirname, '../../docs/profile.md'), 'utf8');
  const section = profile.slice(profile.indexOf('\n## 29. Credential lifecycle'));
  const lines = section.split('\n');
  const headerAt = lines.findIndex((line) => line.trim() === tableHeader);
  if (headerAt < 0) throw new Error(`docs/profile.md §29 has no line ${tableHeader}`);
  if (lines.filter((line) => line.trim() === tableHeader).length !== 1) throw new Error('docs/profile.md §29 has the transition table header more than once');
  if (!/^\|(\s*:?-+:?\s*\|)+$/.test(lines[headerAt + 1]?.trim() ?? '')) throw new Error('the transition table header is not followed by a delimiter row');
  const rows: DocumentedTable['rows'] = [];
  for (const line of lines.slice(headerAt + 2)) {
    if (!line.trim().startsWith('|')) break;
    const [state = '', party = '', ...cells] = markdownCells(line);
    rows.push({ state, party, cells });
  }
  return { header: markdownCells(tableHeader), rows };
}

const table = documentedTransitionTable();

/** Every (state, party, action) of the code, with what the code answers. */
const everyCase = lifecycleStates.flatMap((state) =>
  parties.flatMap((party) => actions.map((action) => ({ state, party, action, answer: transition(state, party, action) }))),
);
const completedMoves = everyCase.flatMap(({ state, party, action, answer }) =>
  answer?.outcome === 'COMPLETED' ? [{ state, party, action, next: answer.next }] : [],
);

function documentedCell(state: LifecycleState, party: LifecycleActor, action: string): string | undefined {
  const rows = table.rows.filter((row) => row.state === state && row.party === party);
  if (rows.length !== 1) return undefined;
  return rows[0]?.cells[table.header.indexOf(action) - 2];
}

describe('docs/profile.md §29 transition table and domain/credential-lifecycle.ts', () => {
  it('has one column per action of either party, after state and party', () => {
    expect(table.header).toEqual(['state', 'party', ...actions]);
  });

  it('has exactly one row per lifecycle state and party, in the order of lifecycleStates with WALLET before ISSUER', () => {
    expect(table.rows.map((row) => `${row.state} ${row.party}`)).toEqual(lifecycleStates.flatMap((state) => parties.map((party) => `${state} ${party}`)));
  });

  it('has a cell for every action in every row, and nothing more', () => {
    expect(table.rows.filter((row) => row.cells.length !== actions.length)).toEqual([]);
    expect(table.rows.length * actions.length).toBe(everyCase.length);
  });

  it.each(everyCase.map(({ state, party, action, answer }) => [state, party, action, cellText(answer)] as const))(
    'in %s the %s action %s is documented as the code answers it: %s',
    (state, party, action, expected) => {
      expect(documentedCell(state, party, action)).toBe(expected);
    },
  );
});

describe('the lifecycle rules, on the code (S2S §Credential Manage)', () => {
  it('walks every action of both parties in every state (6 states × 2 parties × 4 actions)', () => {
    expect(everyCase).toHaveLength(lifecycleStates.length * parties.length * actions.length);
    expect(everyCase).toHaveLength(48);
  });

  it('answers no action of either party on a CANCELLED instance with COMPLETED (cancellation is final)', () => {
    expect(completedMoves.filter((move) => move.state === CredentialStatus.cancelled)).toEqual([]);
  });

  it('lets no Wallet Server action suspend on the issuer’s behalf', () => {
    expect(completedMoves.filter((move) => move.party === 'WALLET' && move.next === CredentialStatus.suspendedIssuer)).toEqual([]);
  });

  it('lets no Wallet Server action lift the issuer’s suspension', () => {
    expect(
      completedMoves.filter((move) => move.party === 'WALLET' && move.state === CredentialStatus.suspendedIssuer && move.next === CredentialStatus.active),
    ).toEqual([]);
    expect(transition(CredentialStatus.suspendedIssuer, 'WALLET', 'RESUME')).toEqual({ outcome: 'FAILED', failureReason: 'suspended_by_issuer' });
  });

  it('lets no issuer action lift the Wallet Server’s suspension', () => {
    expect(
      completedMoves.filter((move) => move.party === 'ISSUER' && move.state === CredentialStatus.suspendedWallet && move.next === CredentialStatus.active),
    ).toEqual([]);
    expect(transition(CredentialStatus.suspendedWallet, 'ISSUER', 'RESUME')).toEqual({ outcome: 'FAILED', failureReason: 'suspended_by_wallet' });
  });

  it('changes the state with every COMPLETED transition (an unchanged state is NO_CHANGE)', () => {
    expect(completedMoves.filter((move) => move.next === move.state)).toEqual([]);
  });

  it('gives UNLINKED and CANCELLED the status list value INVALID', () => {
    expect(statusListValueOf(CredentialStatus.unlinked)).toBe(StatusValue.invalid);
    expect(statusListValueOf(CredentialStatus.cancelled)).toBe(StatusValue.invalid);
  });

  it('never leads from an INVALID state to a state whose status list value is not INVALID (revocation is final)', () => {
    const fromInvalid = completedMoves.filter((move) => statusListValueOf(move.state) === StatusValue.invalid);
    expect(fromInvalid.filter((move) => statusListValueOf(move.next) !== StatusValue.invalid)).toEqual([]);
    // Every move asks the status list for a change it accepts (domain/status-lists/status-list.ts).
    expect(completedMoves.filter((move) => !isStatusChangeAllowed(statusListValueOf(move.state), statusListValueOf(move.next)))).toEqual([]);
  });

  it('issues credentials only while IN_PROCESS or ACTIVE', () => {
    expect(lifecycleStates.filter((state) => issuesCredentials(state))).toEqual([CredentialStatus.inProcess, CredentialStatus.active]);
  });
});
