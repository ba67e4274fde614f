import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { derivedKeys, type DataKeyring } from './data-encryption';

/**
 * Encrypts every Temporal payload (workflow inputs and results, activity arguments and results,
 * signal/update/query payloads) with AES-256-GCM before it leaves the process, so the Temporal
 * server and its database only hold ciphertext. The same codec runs in the API's client and in
 * the worker. Keys are derived (HKDF-SHA256) from the data-at-rest keyring, one per KEK, so a
 * KEK rotation rotates the codec key too and old histories stay readable while their KEK is kept.
 */
const ENCODING = 'binary/encrypted';

/** A payload that this codec did not encrypt reached a process that only accepts encrypted ones. */
export class UnencryptedPayloadError extends Error {}
const keyIdField = 'encryption-key-id';
const utf8 = (value: string) => new TextEncoder().encode(value);

/**
 * `acceptPlaintext` is for display only (the codec server behind the Web UI shows what a payload
 * holds, whoever wrote it). The API and the worker refuse any payload they did not encrypt: a
 * plain JSON signal sent with the Temporal CLI or UI by someone who can reach Temporal fails the
 * workflow task instead of reaching the workflow (an operator sees the failed task and resets).
 */
export function createPayloadCodec(keyring: DataKeyring, options: { acceptPlaintext?: boolean } = {}): PayloadCodec {
  const derived = derivedKeys(keyring, 'temporal-payload-codec');
  const keyFor = (kid: string): Buffer => {
    const key = derived(kid);
    if (!key) throw new Error(`payload key ${kid} is not configured`);
    return key;
  };

  return {
    async encode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => {
        const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', keyFor(keyring.activeKid), iv);
        const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
        return {
          metadata: { encoding: utf8(ENCODING), [keyIdField]: utf8(keyring.activeKid) },
          data: new Uint8Array(Buffer.concat([iv, ciphertext, cipher.getAuthTag()])),
        };
      });
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => {
        const encoding = payload.metadata?.encoding ? Buffer.from(payload.metadata.encoding).toString() : undefined;
        if (encoding !== ENCODING || !payload.data) {
          if (options.acceptPlaintext) return payload;
          throw new UnencryptedPayloadError(`refused a payload that is not encrypted (encoding ${encoding ?? 'none'})`);
        }
        const kid = Buffer.from(payload.metadata?.[keyIdField] ?? new Uint8Array()).toString();
        const data = Buffer.from(payload.data);
        const decipher = createDecipheriv('aes-256-gcm', keyFor(kid), data.subarray(0, 12));
        decipher.setAuthTag(data.subarray(data.length - 16));
        const plaintext = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
        return temporal.api.common.v1.Payload.decode(plaintext) as Payload;
      });
    },
  };
}
