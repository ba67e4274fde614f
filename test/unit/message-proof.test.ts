import { createMessageProofs } from '../../crypto/message-proof';
import { generateDataKeyringJson, parseDataKeyring } from '../../crypto/data-encryption';

describe('proof of origin for workflow messages (verdicts)', () => {
  const keyring = parseDataKeyring(generateDataKeyringJson('kek-1'), 'test');
  const proofs = createMessageProofs(keyring);
  const verdict = { outcome: 'APPROVED', source: 'reviewer', decidedBy: 'alice', reasonCode: undefined };

  it('verifies its own proof, for that workflow, message and payload only', () => {
    const proof = proofs.sign('wf-1', 'verdict', verdict);
    expect(proofs.verify('wf-1', 'verdict', { decidedBy: 'alice', outcome: 'APPROVED', source: 'reviewer' }, proof)).toBe(true);
    expect(proofs.verify('wf-2', 'verdict', verdict, proof)).toBe(false);
    expect(proofs.verify('wf-1', 'cancel', verdict, proof)).toBe(false);
    expect(proofs.verify('wf-1', 'verdict', { ...verdict, decidedBy: 'mallory' }, proof)).toBe(false);
    expect(proofs.verify('wf-1', 'verdict', verdict, { ...proof, mac: proof.mac.slice(1) })).toBe(false);
    expect(proofs.verify('wf-1', 'verdict', verdict, { ...proof, kid: 'unknown' })).toBe(false);
    expect(proofs.verify('wf-1', 'verdict', verdict, undefined)).toBe(false);
  });

  it('refuses a proof made with another key, and keeps verifying proofs of a rotated-out key while it is configured', () => {
    const other = createMessageProofs(parseDataKeyring(generateDataKeyringJson('kek-1'), 'other'));
    expect(proofs.verify('wf-1', 'verdict', verdict, other.sign('wf-1', 'verdict', verdict))).toBe(false);
    const old = generateDataKeyringJson('kek-old');
    const proof = createMessageProofs(parseDataKeyring(old, 'old')).sign('wf-1', 'verdict', verdict);
    const rotated = parseDataKeyring({ active: 'kek-new', keys: { ...old.keys, ...generateDataKeyringJson('kek-new').keys } }, 'rotated');
    expect(createMessageProofs(rotated).verify('wf-1', 'verdict', verdict, proof)).toBe(true);
  });
});
