import type { TLSSocket } from 'node:tls';
import { certificateThumbprint } from '../../crypto/certificate-thumbprint';
import { problems } from '../../domain/problems';
import type { Tenant, TenantRepository } from '../../store/tenants';
import type { ApiMiddleware } from '../context';

/** More distinct certificates than this in one cache window: the cache starts afresh. */
const maxCachedCertificates = 10_000;

/**
 * S2S §Server Authentication (RFC 8705). The TLS layer has already refused clients without a
 * certificate from the configured CA (or listed in its CRL); here the certificate must also be
 * registered, not revoked, and its Wallet Server not deregistered. That Wallet Server becomes
 * the tenant that scopes every record this request touches.
 *
 * Checked on every request, keep-alive connections included (profile §1): a certificate's
 * tenant lookup is reused for at most `cacheMs` (a few seconds at most, config), so a revocation
 * or deregistration made by any process refuses the certificate's next request once that time
 * has passed, on every connection. Unknown and revoked certificates are never cached.
 */
export function authenticateWalletServer(tenants: Pick<TenantRepository, 'authenticate'>, options: { cacheMs: number; now?: () => number }): ApiMiddleware {
  const now = options.now ?? Date.now;
  // A socket keeps the certificate of its one handshake (renegotiation is refused: api/server.ts),
  // so its thumbprint is computed once per connection.
  const thumbprints = new WeakMap<TLSSocket, string>();
  const lookups = new Map<string, { tenant: Tenant; until: number }>();

  const thumbprintOf = (socket: TLSSocket): string | undefined => {
    const known = thumbprints.get(socket);
    if (known) return known;
    const certificate = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(false) : undefined;
    if (!socket.authorized || !certificate?.raw) return undefined;
    const thumbprint = certificateThumbprint(certificate.raw);
    thumbprints.set(socket, thumbprint);
    return thumbprint;
  };

  const tenantFor = async (thumbprint: string): Promise<Tenant | null> => {
    const cached = lookups.get(thumbprint);
    if (cached && cached.until > now()) return cached.tenant;
    lookups.delete(thumbprint);
    const tenant = await tenants.authenticate(thumbprint);
    if (tenant && options.cacheMs > 0) {
      if (lookups.size >= maxCachedCertificates) lookups.clear();
      lookups.set(thumbprint, { tenant, until: now() + options.cacheMs });
    }
    return tenant;
  };

  return async (ctx, next) => {
    const thumbprint = thumbprintOf(ctx.req.socket as TLSSocket);
    if (!thumbprint) throw problems.unknownClient();
    const tenant = await tenantFor(thumbprint);
    if (!tenant) throw problems.unknownClient();
    ctx.state.tenant = tenant;
    await next();
  };
}
