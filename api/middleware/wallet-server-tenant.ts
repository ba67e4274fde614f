import type { TLSSocket } from 'node:tls';
import { certificateThumbprint } from '../../crypto/certificate-thumbprint';
import { problems } from '../../domain/problems';
import type { Tenant, TenantRepository } from '../../store/tenants';
import type { ApiMiddleware } from '../context';

/**
 * S2S §Server Authentication (RFC 8705). The TLS layer has already refused clients without a
 * certificate from the configured CA; here the certificate must also belong to a registered
 * Wallet Server, which becomes the tenant that scopes every record this request touches.
 */
export function authenticateWalletServer(tenants: TenantRepository, options: { connectionCacheMs: number } = { connectionCacheMs: 60_000 }): ApiMiddleware {
  // A keep-alive connection keeps its certificate, so its tenant is looked up once per
  // connectionCacheMs rather than on every request; unknown clients are never cached.
  const byConnection = new WeakMap<TLSSocket, { tenant: Tenant; until: number }>();
  return async (ctx, next) => {
    const socket = ctx.req.socket as TLSSocket;
    const cached = byConnection.get(socket);
    if (cached && cached.until > Date.now()) {
      ctx.state.tenant = cached.tenant;
      await next();
      return;
    }
    const certificate = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(false) : undefined;
    if (!socket.authorized || !certificate?.raw) throw problems.unknownClient();
    const tenant = await tenants.findByThumbprint(certificateThumbprint(certificate.raw));
    if (!tenant) throw problems.unknownClient();
    byConnection.set(socket, { tenant, until: Date.now() + options.connectionCacheMs });
    ctx.state.tenant = tenant;
    await next();
  };
}
