import { deterministicRequestId, retryAfterMs, retryWindowsMs } from '../../clients/wallet-server-client';

describe('S2S §Rate Limiting helpers', () => {
  it('reads Retry-After as seconds or an HTTP-date, capped at 30 s', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs('Wed, 25 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('3600', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  it('uses the draft’s three backoff windows', () => {
    expect(retryWindowsMs).toEqual([
      [0, 1000],
      [1100, 5000],
      [5100, 30000],
    ]);
  });

  it('derives one stable UUIDv8 x-request-id per notification', () => {
    const id = deterministicRequestId('verification-notify', 'v-1', '2');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicRequestId('verification-notify', 'v-1', '2')).toBe(id);
    expect(deterministicRequestId('verification-notify', 'v-1', '3')).not.toBe(id);
  });
});
