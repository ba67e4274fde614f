import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json';
import type { MessageProof } from '../domain/message-proof';
import { derivedKeys, type DataKeyring } from './data-encryption';

export type { MessageProof };

/**
 * Proof of origin for workflow messages that change a decision (a verdict can approve). The
 * payload codec keeps out whoever lacks the payload key; this keeps out whoever can encode
 * payloads without being the API (the Web UI's codec server encodes for its users). Keys are
 * derived (HKDF-SHA256) from the data-at-rest keyring, like the codec's, under their own label.
 */
export function createMessageProofs(keyring: DataKeyring) {
  const keyFor = derivedKeys(keyring, 'workflow-message-proof');
  // Over the payload as it travels (JSON drops undefined members), in canonical form.
  const macOf = (key: Buffer, workflowId: string, message: string, payload: unknown) =>
    createHmac('sha256', key)
      .update(`${workflowId}\n${message}\n${canonicalJson(JSON.parse(JSON.stringify(payload ?? null)))}`)
      .digest();

  return {
    sign(workflowId: string, message: string, payload: unknown): MessageProof {
      const key = keyFor(keyring.activeKid) as Buffer;
      return { kid: keyring.activeKid, mac: macOf(key, workflowId, message, payload).toString('base64url') };
    },
    verify(workflowId: string, message: string, payload: unknown, proof: MessageProof | undefined): boolean {
      if (!proof || typeof proof.kid !== 'string' || typeof proof.mac !== 'string') return false;
      const key = keyFor(proof.kid);
      if (!key) return false;
      const expected = macOf(key, workflowId, message, payload);
      const given = Buffer.from(proof.mac, 'base64url');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
export type MessageProofs = ReturnType<typeof createMessageProofs>;
