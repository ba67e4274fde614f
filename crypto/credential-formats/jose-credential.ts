import { createHash } from 'node:crypto';
import type { PublicJwk } from '../../domain/schemas/common';
import type { CredentialSigner, IssueCredentialInput, StatusListReference } from '../../domain/credential-formats/format';

/**
 * What the JOSE credential formats (dc+sd-jwt, jwt_vc_json) share: the JWS header that names the
 * issuer's key, the holder binding, the status reference, the validity claims and the digest.
 */

/**
 * The JOSE header naming the signing key: `x5c` (RFC 7515 §4.1.6), the chain the verifier
 * validates to its trust anchor; `kid` only when there is no chain to carry the key.
 */
export function signingKeyHeader(signer: CredentialSigner): { x5c: string[] } | { kid: string } {
  const chain = signer.certificateChain ?? [];
  if (chain.length > 0) return { x5c: [...chain] };
  if (signer.keyId !== undefined) return { kid: signer.keyId };
  throw new Error('the credential signer has neither a certificate chain nor a key id: a verifier could not find its key');
}

/** JWK members only private or symmetric keys have (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * `cnf.jwk` (RFC 7800 §3.2): the holder's public key and nothing else, so a credential never
 * carries a member a client appended to its key.
 */
export function holderConfirmation(holderKey: PublicJwk): { jwk: Record<string, string> } {
  const found = privateMembers.find((member) => member in holderKey);
  if (found) throw new Error(`the holder key carries the private member ${found}`);
  const jwk: Record<string, string> = { kty: holderKey.kty };
  for (const member of ['crv', 'x', 'y', 'n', 'e', 'alg'] as const) {
    const value = holderKey[member];
    if (typeof value === 'string') jwk[member] = value;
  }
  return { jwk };
}

/** draft-ietf-oauth-status-list §6.1 (Referenced Token, JOSE): `status.status_list { idx, uri }`. */
export function statusListClaim(status: StatusListReference): { status_list: { idx: number; uri: string } } {
  if (!Number.isSafeInteger(status.index) || status.index < 0) throw new Error('a status list index is a non-negative integer');
  return { status_list: { idx: status.index, uri: status.uri } };
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Validity as JWT claims (RFC 7519 §4.1.4–4.1.6); refuses a window that ends before it begins. */
export function validityClaims(validity: IssueCredentialInput['validity']): { iat: number; nbf: number; exp: number } {
  const iat = epochSeconds(validity.issuedAt);
  const nbf = epochSeconds(validity.validFrom);
  const exp = epochSeconds(validity.validUntil);
  if ([iat, nbf, exp].some((value) => !Number.isFinite(value))) throw new Error('credential validity dates must be valid dates');
  if (exp <= nbf) throw new Error('a credential must expire after it becomes valid');
  return { iat, nbf, exp };
}

/** IssuedCredential.digest: base64url SHA-256 of the credential as delivered. */
export function credentialDigest(credential: string): string {
  return createHash('sha256').update(credential, 'utf8').digest('base64url');
}

/** A compact JWS (RFC 7515 §7.1) signed through the injected signer only. */
export async function signCompactJws(header: Record<string, unknown>, payload: Record<string, unknown>, signer: CredentialSigner): Promise<string> {
  const signingInput = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = await signer.sign(Buffer.from(signingInput, 'ascii'));
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
}
