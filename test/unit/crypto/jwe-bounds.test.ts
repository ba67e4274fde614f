import { decryptJwe, encryptJwe, JweError, maxProtectedHeaderLength } from '../../../crypto/jwe-hpke';
import { generateHpkeJwk } from '../../../crypto/issuer-keys';

/**
 * Bounded parsing (profile §11): a JWE in general JSON serialization may list recipients, each
 * costing an HPKE decapsulation. At most one recipient per key of this server is looked at; a
 * larger JWE is refused before any key work, as is an oversized protected header.
 */
async function twoKeys() {
  return [{ jwk: await generateHpkeJwk('HPKE-0-KE') }, { jwk: await generateHpkeJwk('HPKE-0-KE') }];
}

async function reason(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof JweError ? error.reason : undefined;
}

describe('JWE bounds', () => {
  it('accepts as many recipients as the server has keys, and refuses one more without trying any', async () => {
    const keys = await twoKeys();
    const general = (await encryptJwe(new TextEncoder().encode('x'), keys[1]!.jwk, { serialization: 'general' })) as { recipients: unknown[] };
    const [recipient] = general.recipients;
    // The real recipient last: a server that tried them all would find it.
    const two = { ...general, recipients: [recipient, recipient] };
    expect(Buffer.from((await decryptJwe(two, keys)).plaintext).toString()).toBe('x');
    const many = { ...general, recipients: [...Array.from({ length: 1000 }, () => ({ ...(recipient as object) })), recipient] };
    expect(await reason(decryptJwe(many, keys))).toBe('too_large');
    const three = { ...general, recipients: [recipient, recipient, recipient] };
    expect(await reason(decryptJwe(three, keys))).toBe('too_large');
  });

  it('refuses a protected header over the limit, in compact and JSON serializations', async () => {
    const keys = await twoKeys();
    const compact = (await encryptJwe(new TextEncoder().encode('x'), keys[0]!.jwk)) as string;
    const padded = Buffer.from(JSON.stringify({ alg: 'HPKE-0-KE', padding: 'p'.repeat(maxProtectedHeaderLength) })).toString('base64url');
    expect(await reason(decryptJwe([padded, ...compact.split('.').slice(1)].join('.'), keys))).toBe('too_large');
    const general = (await encryptJwe(new TextEncoder().encode('x'), keys[0]!.jwk, { serialization: 'general' })) as Record<string, unknown>;
    expect(await reason(decryptJwe({ ...general, protected: padded }, keys))).toBe('too_large');
  });
});
