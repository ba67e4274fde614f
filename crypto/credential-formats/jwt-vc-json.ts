import { CredentialFormatId, type CredentialFormat, type IssueCredentialInput, type IssuedCredential } from '../../domain/credential-formats/format';
import { credentialDigest, holderConfirmation, signCompactJws, signingKeyHeader, statusListClaim, validityClaims } from './jose-credential';

/**
 * jwt_vc_json (OpenID4VCI 1.0 Appendix A.1.1): a W3C Verifiable Credential (VCDM 2.0) secured as
 * a JWT per W3C VC-JOSE-COSE §3.1.1: the JWT Claims Set is the credential itself (no `vc`
 * wrapper, which was VCDM 1.1's JWT encoding), `typ: vc+jwt` ("typ SHOULD be vc+jwt").
 * Beside the VCDM members the payload carries JWT claims a JOSE verifier reads without knowing
 * VCDM: `iss` = `issuer`, `iat`, `nbf` = `validFrom`, `exp` = `validUntil`, `cnf.jwk` (RFC 7800)
 * binding the holder's key, and the IETF Token Status List reference `status.status_list`
 * (draft-ietf-oauth-status-list §6.1) in place of a VCDM `credentialStatus`: one status list
 * serves every format this issuer signs, and a BitstringStatusListEntry would need a second
 * list of another shape.
 * `credentialSubject` has no `id`: the holder has no identifier here, only the key in `cnf`
 * (VCDM 2.0 §4.8 makes the id optional).
 */

/** VCDM 2.0 §4.3: the base context comes first. */
export const vcdm2Context = 'https://www.w3.org/ns/credentials/v2';
/** VC-JOSE-COSE §3.1.1 (the media type application/vc+jwt). */
export const vcJwtType = 'vc+jwt';

/** The credential_definition.type of the configuration (Appendix A.1.1.2), which VCDM requires to include VerifiableCredential. */
function credentialTypes(parameters: Readonly<Record<string, unknown>>, configurationId: string): string[] {
  const definition = parameters.credential_definition as { type?: unknown } | undefined;
  const type = definition?.type;
  if (!Array.isArray(type) || type.length === 0 || !type.every((t) => typeof t === 'string')) {
    throw new Error(`configuration ${configurationId} (jwt_vc_json) has no credential_definition.type`);
  }
  if (!type.includes('VerifiableCredential')) throw new Error(`configuration ${configurationId}: credential_definition.type must include VerifiableCredential`);
  return type as string[];
}

/** VCDM 2.0 §4.9 dateTimeStamp, to the second like the JWT claims beside it. */
function dateTimeStamp(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The jwt_vc_json format for one Credential Issuer: `issuer` is the credential's `issuer` and
 * `iss` (a URL, VCDM 2.0 §4.7), its Credential Issuer Identifier.
 */
export function createJwtVcJsonFormat(options: { issuer: string }): CredentialFormat {
  return {
    format: CredentialFormatId.jwtVcJson,
    async issue(input: IssueCredentialInput): Promise<IssuedCredential> {
      const type = credentialTypes(input.configuration.parameters, input.configuration.id);
      if (Object.hasOwn(input.claims, 'id')) throw new Error('the claims may not set credentialSubject.id: the holder is identified by its key (cnf)');
      const validity = validityClaims(input.validity);
      const payload = {
        '@context': [vcdm2Context],
        type,
        issuer: options.issuer,
        validFrom: dateTimeStamp(input.validity.validFrom),
        validUntil: dateTimeStamp(input.validity.validUntil),
        credentialSubject: structuredClone(input.claims),
        iss: options.issuer,
        ...validity,
        cnf: holderConfirmation(input.holderKey),
        status: statusListClaim(input.status),
      };
      const header = { alg: input.signer.alg, typ: vcJwtType, ...signingKeyHeader(input.signer) };
      const credential = await signCompactJws(header, payload, input.signer);
      return { credential, digest: credentialDigest(credential), expiresAt: input.validity.validUntil };
    },
  };
}
