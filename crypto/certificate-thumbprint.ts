import { createHash, X509Certificate } from 'node:crypto';

/** RFC 8705 §3.1 x5t#S256: base64url SHA-256 of the certificate's DER encoding. */
export function certificateThumbprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('base64url');
}

export function pemThumbprint(pem: string): string {
  return certificateThumbprint(new X509Certificate(pem).raw);
}
