import { randomBytes } from 'node:crypto';
import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { DisclosureFrame } from '@sd-jwt/types';
import {
  CredentialFormatId,
  type ClaimPath,
  type CredentialFormat,
  type IssueCredentialInput,
  type IssuedCredential,
} from '../../domain/credential-formats/format';
import { credentialDigest, holderConfirmation, signingKeyHeader, statusListClaim, validityClaims } from './jose-credential';

/**
 * dc+sd-jwt (OpenID4VCI 1.0 Appendix A.3; draft-ietf-oauth-sd-jwt-vc): an issuer-signed JWT with
 * `typ: dc+sd-jwt` and the key's `x5c`, followed by one disclosure per selectively disclosable
 * claim (SD-JWT §4.2), each hashed with SHA-256 into `_sd`.
 */

/** Claims the issuer sets and the holder's data may not replace (draft-ietf-oauth-sd-jwt-vc §3.2.2). */
const issuerClaims = ['iss', 'vct', 'iat', 'nbf', 'exp', 'cnf', 'status', 'vct#integrity', '_sd', '_sd_alg', '...'];

type Frame = Record<string, unknown> & { _sd?: (string | number)[] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The @sd-jwt disclosure frame for claims path pointers (OpenID4VCI Appendix C): the last
 * element of each path goes into its parent's `_sd`. A path to a claim this holder does not
 * have selects nothing: the configuration lists what is disclosable when present, and optional
 * claims (a middle name, a second nationality) are absent for some holders.
 */
export function disclosureFrameFor(claims: Readonly<Record<string, unknown>>, paths: readonly ClaimPath[]): Frame {
  const frame: Frame = {};
  const add = (parentFrame: Frame, key: string | number) => {
    parentFrame._sd ??= [];
    if (!parentFrame._sd.includes(key)) parentFrame._sd.push(key);
  };
  const walk = (value: unknown, parentFrame: Frame, path: ClaimPath): void => {
    const [head, ...rest] = path;
    const keys: (string | number)[] =
      head === null
        ? Array.isArray(value)
          ? value.map((_, i) => i)
          : []
        : typeof head === 'number'
          ? Array.isArray(value) && head >= 0 && head < value.length
            ? [head]
            : []
          : isObject(value) && Object.hasOwn(value, head as string)
            ? [head as string]
            : [];
    for (const key of keys) {
      if (rest.length === 0) {
        add(parentFrame, key);
      } else {
        const child = (parentFrame[String(key)] ??= {}) as Frame;
        walk((value as Record<string | number, unknown>)[key], child, rest);
      }
    }
  };
  for (const path of paths) {
    if (path.length === 0) throw new Error('a claims path pointer is not empty');
    walk(claims, frame, path);
  }
  return frame;
}

/**
 * SD-JWT §9.3 (RFC 9901): a salt carries at least 128 bits of pseudorandom data. The library's
 * generateSalt(16) returns 16 hex characters, 64 bits; this returns 128 bits, base64url.
 */
function saltOf128Bits(): string {
  return randomBytes(16).toString('base64url');
}

function vctOf(parameters: Readonly<Record<string, unknown>>, configurationId: string): string {
  const vct = parameters.vct;
  if (typeof vct !== 'string' || vct === '') throw new Error(`configuration ${configurationId} (dc+sd-jwt) has no vct`);
  return vct;
}

/**
 * The dc+sd-jwt format for one Credential Issuer: `issuer` is the `iss` of its credentials, its
 * Credential Issuer Identifier (OpenID4VCI §12.2.1).
 */
export function createSdJwtVcFormat(options: { issuer: string }): CredentialFormat {
  return {
    format: CredentialFormatId.sdJwtVc,
    async issue(input: IssueCredentialInput): Promise<IssuedCredential> {
      const vct = vctOf(input.configuration.parameters, input.configuration.id);
      const reserved = issuerClaims.find((claim) => Object.hasOwn(input.claims, claim));
      if (reserved) throw new Error(`the claims may not set ${reserved}: the issuer sets it`);
      const { signer } = input;
      const payload = {
        iss: options.issuer,
        vct,
        ...validityClaims(input.validity),
        cnf: holderConfirmation(input.holderKey),
        status: statusListClaim(input.status),
        ...structuredClone(input.claims),
      };
      const frame = disclosureFrameFor(input.claims, input.configuration.disclosable ?? []);
      const sdJwt = new SDJwtVcInstance({
        hasher: digest,
        hashAlg: 'sha-256',
        saltGenerator: saltOf128Bits,
        signAlg: signer.alg,
        signer: async (signingInput: string) => Buffer.from(await signer.sign(Buffer.from(signingInput, 'ascii'))).toString('base64url'),
      });
      // The library sets typ (dc+sd-jwt) and alg; the header adds the key's x5c (or kid).
      const credential = await sdJwt.issue(payload, frame as DisclosureFrame<typeof payload>, { header: signingKeyHeader(signer) });
      return { credential, digest: credentialDigest(credential), expiresAt: input.validity.validUntil };
    },
  };
}
