import {
  configurationsWithoutFormat,
  createCredentialFormatRegistry,
  CredentialFormatId,
  credentialFormatFor,
  type CredentialFormat,
} from '../../domain/credential-formats/format';

/** Registry tests need formats to register, not to issue: a format here refuses to issue. */
function registered(format: string): CredentialFormat {
  return {
    format,
    issue: () => Promise.reject(new Error('not issued by the registry tests')),
  };
}

describe('credential format registry (domain/credential-formats/format.ts)', () => {
  it('finds each registered format by its Credential Format Identifier (OpenID4VCI Appendix A)', () => {
    const sdJwt = registered(CredentialFormatId.sdJwtVc);
    const mdoc = registered(CredentialFormatId.mdoc);
    const registry = createCredentialFormatRegistry([sdJwt, mdoc]);
    expect(registry.get('dc+sd-jwt')).toBe(sdJwt);
    expect(registry.get('mso_mdoc')).toBe(mdoc);
    expect(registry.get('jwt_vc_json')).toBeUndefined();
  });

  it('refuses two implementations of one format', () => {
    expect(() => createCredentialFormatRegistry([registered('dc+sd-jwt'), registered('dc+sd-jwt')])).toThrow(
      /two credential formats registered for dc\+sd-jwt/,
    );
  });

  it('refuses a format without an identifier', () => {
    expect(() => createCredentialFormatRegistry([registered(' ')])).toThrow(/Credential Format Identifier/);
  });

  it('names the configurations whose format is not registered', () => {
    const registry = createCredentialFormatRegistry([registered(CredentialFormatId.sdJwtVc)]);
    const configurations = [
      { id: 'eu.europa.ec.eudi.pid.1', format: 'dc+sd-jwt' },
      { id: 'org.iso.18013.5.1.mDL', format: 'mso_mdoc' },
      { id: 'UniversityDegree', format: 'jwt_vc_json' },
    ];
    expect(configurationsWithoutFormat(registry, configurations)).toEqual(['org.iso.18013.5.1.mDL', 'UniversityDegree']);
    expect(configurationsWithoutFormat(createCredentialFormatRegistry([]), [])).toEqual([]);
  });

  it('gives the implementation for a configuration, and refuses one whose format is missing', () => {
    const jwtVc = registered(CredentialFormatId.jwtVcJson);
    const registry = createCredentialFormatRegistry([jwtVc]);
    expect(credentialFormatFor(registry, { id: 'UniversityDegree', format: 'jwt_vc_json' })).toBe(jwtVc);
    expect(() => credentialFormatFor(registry, { id: 'org.iso.18013.5.1.mDL', format: 'mso_mdoc' })).toThrow(
      /no credential format mso_mdoc for configuration org.iso.18013.5.1.mDL/,
    );
  });

  it('knows the three Appendix A identifiers it is shaped for', () => {
    expect(Object.values(CredentialFormatId).sort()).toEqual(['dc+sd-jwt', 'jwt_vc_json', 'mso_mdoc']);
  });
});
