import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { generateDataKeyringJson, parseDataKeyring } from '../../crypto/data-encryption';
import { createOneTimeCodeEvaluator } from '../../domain/verification-types/one-time-code';
import type { EvaluationContext } from '../../domain/verification-types/evaluator';
import { collections } from '../../store/mongo';
import { createOneTimeCodeRepository, oneTimeCodeKey } from '../../store/one-time-codes';
import { connectTestDatabase } from '../support/test-database';

/** One-time codes against the real MongoDB-wire server (profile §One-time codes). */
let mongo: MongoClient;
let db: Db;
beforeAll(async () => {
  ({ client: mongo, db } = await connectTestDatabase('otp'));
});
afterAll(async () => {
  await mongo?.close();
});

const keyring = parseDataKeyring(generateDataKeyringJson('otp-test'), 'test');
const configurations = ['org.iso.18013.5.1.mDL'];
const codes = (limits?: Parameters<typeof createOneTimeCodeRepository>[2]) => createOneTimeCodeRepository(db, keyring, limits);
const wrongFor = (code: string) => (code === '00000000' ? '00000001' : '00000000');
const by = (tenantId: string) => `${tenantId}/${randomUUID()}/${randomUUID()}`;

describe('one-time codes are scoped to the tenant they were issued for', () => {
  it('refuses a code issued for tenant A to tenant B, and B’s wrong tries do not lock A’s code', async () => {
    const [tenantA, tenantB] = [randomUUID(), randomUUID()];
    const account = `acct-${randomUUID()}`;
    const { code } = await codes().issue(tenantA, account, configurations, 600_000);

    expect(await codes().check(tenantB, account, code, by(tenantB), configurations)).toBe('unknown');
    for (let i = 0; i < 20; i += 1) expect(await codes().check(tenantB, account, wrongFor(code), by(tenantB), configurations)).toBe('unknown');

    expect(await codes().check(tenantA, account, code, by(tenantA), configurations)).toBe('accepted');
  });

  it('keeps one code per tenant and account: issuing at B does not replace A’s', async () => {
    const [tenantA, tenantB] = [randomUUID(), randomUUID()];
    const account = `acct-${randomUUID()}`;
    const a = await codes().issue(tenantA, account, configurations, 600_000);
    const b = await codes().issue(tenantB, account, configurations, 600_000);
    expect(await codes().check(tenantB, account, b.code, by(tenantB), configurations)).toBe('accepted');
    expect(await codes().check(tenantA, account, a.code, by(tenantA), configurations)).toBe('accepted');
  });
});

describe('one-time codes are stored as an HMAC under the server key', () => {
  it('stores no plain or salted SHA-256 of the code, but the HMAC-SHA256 under the configured key', async () => {
    const tenantId = randomUUID();
    const account = `acct-${randomUUID()}`;
    const { code } = await codes().issue(tenantId, account, configurations, 600_000);
    const record = await db.collection(collections.oneTimeCodes).findOne({ _id: oneTimeCodeKey(tenantId, account) as never });
    expect(record).not.toBeNull();
    const stored = String(record?.codeHash);
    const issueId = String(record?.issueId);
    const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');
    // Everything a database reader could try without the key.
    for (const guess of [
      code,
      `${issueId}\u0000${code}`,
      `${tenantId}\u0000${issueId}\u0000${code}`,
      `one-time-code\u0000${tenantId}\u0000${issueId}\u0000${code}`,
    ]) {
      expect(stored).not.toBe(sha256(guess));
    }
    const key = keyring.keys.get('otp-test') as Buffer;
    const hmac = createHmac('sha256', key).update(`one-time-code\u0000${tenantId}\u0000${issueId}\u0000${code}`, 'utf8').digest('base64url');
    expect(stored).toBe(hmac);
    expect(record?.kid).toBe('otp-test');
  });

  it('refuses a code whose record names a key the server no longer has', async () => {
    const tenantId = randomUUID();
    const account = `acct-${randomUUID()}`;
    const { code } = await codes().issue(tenantId, account, configurations, 600_000);
    const otherServer = createOneTimeCodeRepository(db, parseDataKeyring(generateDataKeyringJson('otp-other'), 'test'));
    expect(await otherServer.check(tenantId, account, code, by(tenantId), configurations)).toBe('incorrect');
  });
});

describe('one-time code attempts are limited', () => {
  it('locks a code after its tries, even for the right code', async () => {
    const tenantId = randomUUID();
    const account = `acct-${randomUUID()}`;
    const { code } = await codes({ maxAttemptsPerCode: 3, maxAttemptsPerHolder: 100, holderWindowMs: 3600_000 }).issue(
      tenantId,
      account,
      configurations,
      600_000,
    );
    const limited = codes({ maxAttemptsPerCode: 3, maxAttemptsPerHolder: 100, holderWindowMs: 3600_000 });
    for (let i = 0; i < 3; i += 1) expect(await limited.check(tenantId, account, wrongFor(code), by(tenantId), configurations)).toBe('incorrect');
    expect(await limited.check(tenantId, account, code, by(tenantId), configurations)).toBe('locked');
  });

  it('refuses attempts beyond the per-holder ceiling within a window, however often a new code is issued', async () => {
    const tenantId = randomUUID();
    const account = `acct-${randomUUID()}`;
    // A window shorter than the codes' lifetime, so the last code is still valid in the next one.
    const limits = { maxAttemptsPerCode: 2, maxAttemptsPerHolder: 5, holderWindowMs: 60_000 };
    const repository = codes(limits);
    const now = new Date();
    const outcomes: string[] = [];
    let code = '';
    for (let issue = 0; issue < 3; issue += 1) {
      ({ code } = await repository.issue(tenantId, account, configurations, 600_000));
      for (let i = 0; i < 2; i += 1) outcomes.push(await repository.check(tenantId, account, wrongFor(code), by(tenantId), configurations, now));
    }
    // Per code 2 tries, but only 5 per holder in the window: the sixth guess is refused.
    expect(outcomes).toEqual(['incorrect', 'incorrect', 'incorrect', 'incorrect', 'incorrect', 'locked']);
    ({ code } = await repository.issue(tenantId, account, configurations, 600_000));
    expect(await repository.check(tenantId, account, code, by(tenantId), configurations, now)).toBe('locked');
    // The next window allows tries again.
    const later = new Date(now.getTime() + limits.holderWindowMs);
    expect(await repository.check(tenantId, account, code, by(tenantId), configurations, later)).toBe('accepted');
  });

  it('counts the per-holder ceiling per tenant: another tenant’s tries do not use it up', async () => {
    const [tenantA, tenantB] = [randomUUID(), randomUUID()];
    const account = `acct-${randomUUID()}`;
    const limits = { maxAttemptsPerCode: 10, maxAttemptsPerHolder: 3, holderWindowMs: 3600_000 };
    const repository = codes(limits);
    const b = await repository.issue(tenantB, account, configurations, 600_000);
    for (let i = 0; i < 4; i += 1) await repository.check(tenantB, account, wrongFor(b.code), by(tenantB), configurations);
    expect(await repository.check(tenantB, account, b.code, by(tenantB), configurations)).toBe('locked');
    const a = await repository.issue(tenantA, account, configurations, 600_000);
    expect(await repository.check(tenantA, account, a.code, by(tenantA), configurations)).toBe('accepted');
  });
});

describe('the one-time-code evaluator answers one reason code for every refused code', () => {
  const context = (tenantId: string): EvaluationContext => ({
    origin: 'WALLET_CLIENT',
    tenantId,
    sessionId: randomUUID(),
    verificationId: randomUUID(),
    credentialConfigurationIds: configurations,
  });

  it('gives the same reason code for an account without a code, a wrong code, a used code and another tenant’s code', async () => {
    const evaluator = createOneTimeCodeEvaluator(codes());
    const [tenantA, tenantB] = [randomUUID(), randomUUID()];
    const account = `acct-${randomUUID()}`;
    const { code } = await codes().issue(tenantA, account, configurations, 600_000);
    const item = (holderAccountId: string, value: string) => ({ id: 'otp', type: 'one-time-code', holderAccountId, code: value });

    const unknown = await evaluator.evaluate(item(`acct-${randomUUID()}`, code), context(tenantA));
    const incorrect = await evaluator.evaluate(item(account, wrongFor(code)), context(tenantA));
    const otherTenant = await evaluator.evaluate(item(account, code), context(tenantB));
    expect(await evaluator.evaluate(item(account, code), context(tenantA))).toEqual({ verdict: 'satisfied' });
    const used = await evaluator.evaluate(item(account, code), context(tenantA));

    for (const refused of [unknown, incorrect, otherTenant, used]) expect(refused).toEqual({ verdict: 'rejected', reasonCode: 'OTP_INVALID' });
  });
});
