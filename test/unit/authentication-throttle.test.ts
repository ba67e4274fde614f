import { createAuthenticationThrottle } from '../../api/admin/authentication-throttle';

describe('failed admin authentications are throttled per address (api/admin/authentication-throttle.ts)', () => {
  it('blocks an address after maxFailures within the window, until the window ends', () => {
    let now = 1_000_000;
    const throttle = createAuthenticationThrottle({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 2; i += 1) throttle.recordFailure('10.0.0.1');
    expect(throttle.retryAfterSeconds('10.0.0.1')).toBeUndefined();
    throttle.recordFailure('10.0.0.1');
    expect(throttle.retryAfterSeconds('10.0.0.1')).toBe(60);
    expect(throttle.retryAfterSeconds('10.0.0.2')).toBeUndefined();
    now += 30_500;
    expect(throttle.retryAfterSeconds('10.0.0.1')).toBe(30);
    now += 29_500;
    expect(throttle.retryAfterSeconds('10.0.0.1')).toBeUndefined();
    throttle.recordFailure('10.0.0.1');
    expect(throttle.retryAfterSeconds('10.0.0.1')).toBeUndefined();
  });

  it('keeps at most maxAddresses addresses, dropping the oldest', () => {
    const throttle = createAuthenticationThrottle({ maxFailures: 1, windowMs: 60_000, maxAddresses: 100, now: () => 5 });
    for (let i = 0; i < 1000; i += 1) throttle.recordFailure(`10.0.${Math.floor(i / 256)}.${i % 256}`);
    expect(throttle.size()).toBe(100);
    expect(throttle.retryAfterSeconds('10.0.0.0')).toBeUndefined();
    expect(throttle.retryAfterSeconds('10.0.3.231')).toBe(60);
  });
});
