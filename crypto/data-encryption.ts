import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Envelope encryption of personal data at rest (profile §Data at rest): each record gets a fresh
 * 256-bit data key; the data key is wrapped with a key-encryption key (KEK) from configuration;
 * both layers are AES-256-GCM, and the record's identity is the AAD, so a ciphertext cannot be
 * moved to another record. Several KEKs can be configured; new records use the active one and
 * older records keep opening with theirs (rotation).
 */
export interface DataKeyring {
  activeKid: string;
  keys: ReadonlyMap<string, Buffer>;
}

export interface EncryptedEnvelope {
  kid: string;
  wrappedKey: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

export function parseDataKeyring(json: { active: string; keys: Record<string, string> }, source: string): DataKeyring {
  const keys = new Map(Object.entries(json.keys).map(([kid, value]) => [kid, Buffer.from(value, 'base64')]));
  for (const [kid, key] of keys) if (key.length !== 32) throw new Error(`${source}: key ${kid} is not 256 bits`);
  if (!keys.has(json.active)) throw new Error(`${source}: the active key ${json.active} is not in keys`);
  return { activeKid: json.active, keys };
}

/**
 * Keys derived (HKDF-SHA256, no salt) from the keyring's KEKs under one `label`, one per kid and
 * computed once: every purpose (payload codec, message proofs, credential versions, nonces) gets
 * its own key, so no two purposes ever share one, and rotating the keyring rotates them all.
 * Undefined for a kid the keyring does not hold.
 */
export function derivedKeys(keyring: DataKeyring, label: string): (kid: string) => Buffer | undefined {
  const derived = new Map<string, Buffer>();
  return (kid) => {
    let key = derived.get(kid);
    if (!key) {
      const kek = keyring.keys.get(kid);
      if (!kek) return undefined;
      key = Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), label, 32));
      derived.set(kid, key);
    }
    return key;
  };
}

export function loadDataKeyring(file: string): DataKeyring {
  return parseDataKeyring(JSON.parse(readFileSync(file, 'utf8')) as { active: string; keys: Record<string, string> }, file);
}

export function generateDataKeyringJson(kid: string): { active: string; keys: Record<string, string> } {
  return { active: kid, keys: { [kid]: randomBytes(32).toString('base64') } };
}

function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

function gcmOpen(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

export function sealRecord(keyring: DataKeyring, plaintext: Buffer, recordIdentity: string): EncryptedEnvelope {
  const kek = keyring.keys.get(keyring.activeKid) as Buffer;
  const dataKey = randomBytes(32);
  const aad = Buffer.from(recordIdentity, 'utf8');
  const wrapped = gcmSeal(kek, dataKey, Buffer.from(`wrap|${keyring.activeKid}|${recordIdentity}`, 'utf8'));
  const content = gcmSeal(dataKey, plaintext, aad);
  return {
    kid: keyring.activeKid,
    wrappedKey: Buffer.concat([wrapped.iv, wrapped.ciphertext, wrapped.tag]).toString('base64'),
    iv: content.iv.toString('base64'),
    ciphertext: content.ciphertext.toString('base64'),
    tag: content.tag.toString('base64'),
  };
}

export function openRecord(keyring: DataKeyring, envelope: EncryptedEnvelope, recordIdentity: string): Buffer {
  const kek = keyring.keys.get(envelope.kid);
  if (!kek) throw new Error(`data key-encryption key ${envelope.kid} is not configured`);
  const wrapped = Buffer.from(envelope.wrappedKey, 'base64');
  const dataKey = gcmOpen(
    kek,
    wrapped.subarray(0, 12),
    wrapped.subarray(12, wrapped.length - 16),
    wrapped.subarray(wrapped.length - 16),
    Buffer.from(`wrap|${envelope.kid}|${recordIdentity}`, 'utf8'),
  );
  return gcmOpen(
    dataKey,
    Buffer.from(envelope.iv, 'base64'),
    Buffer.from(envelope.ciphertext, 'base64'),
    Buffer.from(envelope.tag, 'base64'),
    Buffer.from(recordIdentity, 'utf8'),
  );
}
