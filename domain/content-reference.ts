/**
 * S2S §Content Reference: "large content can be passed by-reference to a downloadable URL,
 * rather than in-band". The rules of this issuer (profile §25 Content Reference), pure.
 */

/** Where the content is downloaded from, on the mTLS API listener: `GET /content/{id}`. */
export const contentDownloadPath = '/content';

/**
 * The largest content ever stored for download: a batch of at most 100 credentials
 * (maxPresentmentKeys) encrypted as one JWE stays far below it. Larger is a fault, not a delivery.
 */
export const maxContentBytes = 32 * 1024 * 1024;

/** A download id: 256 random bits, base64url without padding (43 characters). */
export const contentIdPattern = /^[A-Za-z0-9_-]{43}$/;

/**
 * In band up to and including the threshold, by reference above it. Measured on the bytes of
 * the compact JWE (what a download serves), not on the JSON answer around it.
 */
export function deliversByReference(contentBytes: number, thresholdBytes: number): boolean {
  return contentBytes > thresholdBytes;
}

/** The downloadUrl of a stored content: the API's public base URL, the path, the id. */
export function contentDownloadUrl(baseUrl: string, id: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${contentDownloadPath}/${id}`;
}
