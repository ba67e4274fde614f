import { createHash } from 'node:crypto';

/**
 * A UUID derived from its parts, the same on every call: RFC 9562 version 8 (custom) over the
 * SHA-256 of the parts (NUL-separated), variant 10. For identifiers a retry must find again
 * (an outbound notification's x-request-id, a credential instance's id) without a lookup.
 */
export function derivedUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}
