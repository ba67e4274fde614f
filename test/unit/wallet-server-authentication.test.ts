import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { ApiContext } from '../../api/context';
import { authenticateWalletServer } from '../../api/middleware/wallet-server-tenant';
import { certificateThumbprint } from '../../crypto/certificate-thumbprint';
import type { Tenant } from '../../store/tenants';

/** A TLS connection whose client presented `der` (authorized by the TLS layer). */
function connection(der: Buffer): TLSSocket {
  return { authorized: true, getPeerCertificate: () => ({ raw: der }) } as unknown as TLSSocket;
}

/** Runs the middleware for one request on `socket`; the tenant it established, or the Problem status. */
async function requestOn(middleware: ReturnType<typeof authenticateWalletServer>, socket: TLSSocket): Promise<string | number> {
  const ctx = { req: { socket }, state: {} } as unknown as ApiContext;
  try {
    await middleware(ctx, async () => undefined);
    return ctx.state.tenant._id;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

describe('authenticating the Wallet Server of every request (profile §1)', () => {
  const der = randomBytes(64);
  const thumbprint = certificateThumbprint(der);
  const tenant = { _id: 'tenant-1', name: 'w', notificationBaseUrl: 'https://w.example', createdAt: new Date(0) } as Tenant;

  function registry() {
    const revoked = new Set<string>();
    const lookups: string[] = [];
    return {
      revoked,
      lookups,
      authenticate: async (t: string) => (lookups.push(t), t === thumbprint && !revoked.has(t) ? tenant : null),
    };
  }

  it('refuses a revoked certificate on the next request of the same kept-alive connection once the cache bound has passed', async () => {
    let now = 0;
    const tenants = registry();
    const middleware = authenticateWalletServer(tenants, { cacheMs: 1000, now: () => now });
    const socket = connection(der);
    expect(await requestOn(middleware, socket)).toBe('tenant-1');
    tenants.revoked.add(thumbprint);
    now = 1001;
    expect(await requestOn(middleware, socket)).toBe(401);
    now = 60_000;
    expect(await requestOn(middleware, socket)).toBe(401);
  });

  it('looks the certificate up on every request when the cache is off, on the same connection', async () => {
    const tenants = registry();
    const middleware = authenticateWalletServer(tenants, { cacheMs: 0 });
    const socket = connection(der);
    expect(await requestOn(middleware, socket)).toBe('tenant-1');
    expect(await requestOn(middleware, socket)).toBe('tenant-1');
    tenants.revoked.add(thumbprint);
    expect(await requestOn(middleware, socket)).toBe(401);
    expect(tenants.lookups).toHaveLength(3);
  });

  it('reuses a lookup for at most cacheMs, across connections presenting the same certificate', async () => {
    let now = 0;
    const tenants = registry();
    const middleware = authenticateWalletServer(tenants, { cacheMs: 1000, now: () => now });
    expect(await requestOn(middleware, connection(der))).toBe('tenant-1');
    now = 999;
    expect(await requestOn(middleware, connection(der))).toBe('tenant-1');
    expect(tenants.lookups).toHaveLength(1);
    now = 1000;
    expect(await requestOn(middleware, connection(der))).toBe('tenant-1');
    expect(tenants.lookups).toHaveLength(2);
  });

  it('never caches an unknown or revoked certificate: a registration is seen on the next request', async () => {
    const tenants = registry();
    tenants.revoked.add(thumbprint);
    const middleware = authenticateWalletServer(tenants, { cacheMs: 5000 });
    const socket = connection(der);
    expect(await requestOn(middleware, socket)).toBe(401);
    tenants.revoked.delete(thumbprint);
    expect(await requestOn(middleware, socket)).toBe('tenant-1');
  });

  it('refuses a connection the TLS layer did not authorize', async () => {
    const middleware = authenticateWalletServer(registry(), { cacheMs: 1000 });
    const socket = { authorized: false, getPeerCertificate: () => ({ raw: der }) } as unknown as TLSSocket;
    expect(await requestOn(middleware, socket)).toBe(401);
  });
});
