import type { TLSSocket } from 'node:tls';
import { certificateThumbprint } from '../../crypto/certificate-thumbprint';
import { problems } from '../../domain/problems';
import type { TenantRepository } from '../../store/tenants';
import type { ApiMiddleware } from '../context';

/**
 * S2S §Server Authentication (RFC 8705). The TLS layer has already refused clients without a
 * certificate from the configured CA; here the certificate must also belong to a registered
 * Wallet Server, which becomes the tenant that scopes every record this request touches.
 */
export function authenticateWalletServer(tenants: TenantRepository): ApiMiddleware {
  return async (ctx, next) => {
    const socket = ctx.req.socket as TLSSocket;
    const certificate = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(false) : undefined;
    if (!socket.authorized || !certificate?.raw) throw problems.unknownClient();
    const tenant = await tenants.findByThumbprint(certificateThumbprint(certificate.raw));
    if (!tenant) throw problems.unknownClient();
    ctx.state.tenant = tenant;
    await next();
  };
}
