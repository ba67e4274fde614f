import { defaultPayloadConverter } from '@temporalio/common';
import { generateDataKeyringJson, parseDataKeyring } from '../../../crypto/data-encryption';
import { createPayloadCodec, UnencryptedPayloadError } from '../../../crypto/temporal-payload-codec';

const keyring = parseDataKeyring(generateDataKeyringJson('kek-1'), 'test');
const payload = defaultPayloadConverter.toPayload({ tenantId: 't-1', verificationDataRef: 'ref-123' });

describe('Temporal PayloadCodec (payload encryption)', () => {
  it('encrypts payloads so that nothing of them is readable, and decrypts them back', async () => {
    const codec = createPayloadCodec(keyring);
    const [encoded] = await codec.encode([payload]);
    expect(Buffer.from(encoded?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    expect(Buffer.from(encoded?.data ?? []).toString('latin1')).not.toContain('ref-123');
    const [decoded] = await codec.decode([encoded as typeof payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as typeof payload)).toEqual({ tenantId: 't-1', verificationDataRef: 'ref-123' });
  });

  it('refuses a payload it did not encrypt (a plain signal sent with the Temporal CLI)', async () => {
    await expect(createPayloadCodec(keyring).decode([payload])).rejects.toBeInstanceOf(UnencryptedPayloadError);
    await expect(createPayloadCodec(keyring).decode([{ metadata: { encoding: new TextEncoder().encode('binary/encrypted') } }])).rejects.toBeInstanceOf(
      UnencryptedPayloadError,
    );
  });

  it('shows a plain payload as it is when asked to, for display in the Web UI only', async () => {
    const [decoded] = await createPayloadCodec(keyring, { acceptPlaintext: true }).decode([payload]);
    expect(decoded).toBe(payload);
  });

  it('refuses a tampered payload', async () => {
    const codec = createPayloadCodec(keyring);
    const [encoded] = await codec.encode([payload]);
    const data = Buffer.from(encoded?.data ?? []);
    data[20] = (data[20] ?? 0) ^ 1;
    await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow();
  });

  it('keeps decoding payloads of a rotated-out key while it is configured', async () => {
    const old = generateDataKeyringJson('kek-1');
    const [encoded] = await createPayloadCodec(parseDataKeyring(old, 'old')).encode([payload]);
    const rotated = parseDataKeyring({ active: 'kek-2', keys: { ...old.keys, ...generateDataKeyringJson('kek-2').keys } }, 'rotated');
    const [decoded] = await createPayloadCodec(rotated).decode([encoded as typeof payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as typeof payload)).toEqual({ tenantId: 't-1', verificationDataRef: 'ref-123' });
  });
});
