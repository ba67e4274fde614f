import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decryptJwe, type HpkeJwk, type JweDecryptionKey } from '../../../crypto/jwe-hpke';

interface Vector {
  alg: string;
  jwk: HpkeJwk & { d: string };
  flattened: Record<string, string>;
  compact: string;
}

const vectors = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/jose-hpke/jose-vectors.json'), 'utf8')) as Vector[];

describe('draft-ietf-jose-hpke-encrypt test vectors', () => {
  it('has all 16 algorithms', () => {
    expect(vectors.map((v) => v.alg).sort()).toHaveLength(16);
  });

  it.each(vectors.map((v) => [v.alg, v] as const))('%s: decrypts the compact and the flattened JSON example to the same plaintext', async (_alg, vector) => {
    const keys: JweDecryptionKey[] = [{ jwk: vector.jwk }];
    const compact = await decryptJwe(vector.compact, keys);
    const flattened = await decryptJwe(vector.flattened, keys);
    const text = Buffer.from(compact.plaintext).toString('utf8');
    expect(text.length).toBeGreaterThan(0);
    expect(Buffer.from(flattened.plaintext).toString('utf8')).toBe(text);
    expect(compact.header.alg).toBe(vector.alg);
  });
});
