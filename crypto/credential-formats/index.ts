import { createCredentialFormatRegistry, type CredentialFormatRegistry } from '../../domain/credential-formats/format';
import { createJwtVcJsonFormat } from './jwt-vc-json';
import { createMdocFormat } from './mdoc';
import { createSdJwtVcFormat } from './sd-jwt-vc';

/**
 * Every Credential Format Profile this issuer signs (OpenID4VCI 1.0 Appendix A), by identifier.
 * `issuer` is the Credential Issuer Identifier the JOSE formats put in `iss`.
 */
export function createIssuerCredentialFormats(options: { issuer: string }): CredentialFormatRegistry {
  return createCredentialFormatRegistry([createSdJwtVcFormat(options), createJwtVcJsonFormat(options), createMdocFormat()]);
}
