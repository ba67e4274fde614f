import { effectiveQuotas, interleaveByTenant, takeToken, type TokenBucket } from '../../domain/quotas';

describe('takeToken (profile §Quotas: a token bucket per tenant)', () => {
  const quota = { ratePerSecond: 2, burst: 3 };

  it('allows a burst of `burst` requests at once, then refuses with the seconds until the next token', () => {
    let bucket: TokenBucket | undefined;
    const answers = Array.from({ length: 4 }, () => {
      const result = takeToken(bucket, quota, 1_000);
      bucket = result.bucket;
      return result;
    });
    expect(answers.map((a) => a.allowed)).toEqual([true, true, true, false]);
    const refused = answers[3];
    expect(refused?.allowed === false && refused.retryAfterSeconds).toBe(1);
  });

  it('refills at ratePerSecond, never above burst', () => {
    const empty = { tokens: 0, at: 0 };
    expect(takeToken(empty, quota, 499).allowed).toBe(false);
    expect(takeToken(empty, quota, 500).allowed).toBe(true);
    const afterLongQuiet = takeToken(empty, quota, 3_600_000);
    expect(afterLongQuiet.bucket.tokens).toBe(quota.burst - 1);
  });

  it('takes nothing from a refused request, so a flood is held to the rate instead of locked out', () => {
    let bucket: TokenBucket = { tokens: 0, at: 0 };
    let allowed = 0;
    // 100 requests per second for 10 s against a rate of 2/s.
    for (let t = 0; t <= 10_000; t += 10) {
      const result = takeToken(bucket, quota, t);
      bucket = result.bucket;
      if (result.allowed) allowed += 1;
    }
    expect(allowed).toBe(20);
  });

  it('asks a slow tenant to wait whole seconds until its next token', () => {
    const result = takeToken({ tokens: 0, at: 0 }, { ratePerSecond: 0.1, burst: 1 }, 0);
    expect(result.allowed === false && result.retryAfterSeconds).toBe(10);
  });
});

describe('effectiveQuotas', () => {
  it('takes what registration set and the configured default for the rest', () => {
    const defaults = { ratePerSecond: 100, burst: 200, maxOpenVerifications: 1000 };
    expect(effectiveQuotas({ burst: 5 }, defaults)).toEqual({ ratePerSecond: 100, burst: 5, maxOpenVerifications: 1000 });
    expect(effectiveQuotas(undefined, defaults)).toEqual(defaults);
  });
});

describe('interleaveByTenant (fair review queue)', () => {
  const item = (tenant: string, at: number) => ({ tenant, at });
  const at = (i: { at: number }) => i.at;

  it("lists another tenant's oldest item among the first even when one tenant's flood is older", () => {
    const flood = Array.from({ length: 1000 }, (_, n) => item('flood', n));
    const quiet = [item('quiet', 5000), item('quiet', 5001)];
    const listed = interleaveByTenant([flood, quiet], at, 50);
    expect(listed).toHaveLength(50);
    expect(listed.slice(0, 4)).toEqual([item('flood', 0), item('quiet', 5000), item('flood', 1), item('quiet', 5001)]);
  });

  it('is oldest first within a round and stops at the limit', () => {
    const listed = interleaveByTenant([[item('a', 3), item('a', 4)], [item('b', 1)], [item('c', 2)]], at, 3);
    expect(listed).toEqual([item('b', 1), item('c', 2), item('a', 3)]);
  });
});
