import path from 'node:path';
import { parseCredentialCatalogue, readCredentialCatalogueFile } from '../../config/credential-catalogue-file';
import { developmentCatalogue, readCredentialCatalogue } from '../../config/verification';
import { loadConfig } from '../../config/config';
import { credentialMetadataVersion } from '../../crypto/credential-metadata-version';
import { buildIssuerMetadata } from '../../api/routes/issuer-metadata';
import { createCredentialCatalogue, issuanceConfigurationOf, refreshTimingOf, type CredentialConfiguration } from '../../domain/credential-configurations';
import { generateIssuerKeys } from '../support/issuer-test-keys';

const deployFile = path.resolve(__dirname, '../../deploy/credential-catalogue.json');
const byId = (configurations: readonly CredentialConfiguration[], id: string) => configurations.find((c) => c.id === id) as CredentialConfiguration;
const pid = () => structuredClone(byId(developmentCatalogue, 'eu.europa.ec.eudi.pid.1'));
const mdl = () => structuredClone(byId(developmentCatalogue, 'org.iso.18013.5.1.mDL'));
const membership = () => structuredClone(byId(developmentCatalogue, 'org.example.membership.1'));
const parse = (entries: unknown[]) => parseCredentialCatalogue(JSON.stringify(entries), 'catalogue.json');

describe('credential catalogue (profile §Credential configurations)', () => {
  it('ships an mDL, a PID as SD-JWT VC and a membership card as jwt_vc_json, in the deployment file and the development catalogue', () => {
    for (const configurations of [
      readCredentialCatalogueFile(deployFile),
      readCredentialCatalogue(loadConfig({ S2S_ENABLE_DEV_VERIFICATION_TYPES: 'true' }).verification),
    ]) {
      expect(configurations.map((c) => [c.id, c.format])).toEqual([
        ['org.iso.18013.5.1.mDL', 'mso_mdoc'],
        ['eu.europa.ec.eudi.pid.1', 'dc+sd-jwt'],
        ['org.example.membership.1', 'jwt_vc_json'],
      ]);
      expect(issuanceConfigurationOf(byId(configurations, 'org.iso.18013.5.1.mDL')).parameters).toEqual({ doctype: 'org.iso.18013.5.1.mDL' });
      expect(issuanceConfigurationOf(byId(configurations, 'eu.europa.ec.eudi.pid.1')).parameters).toEqual({ vct: 'urn:eudi:pid:1' });
      expect(issuanceConfigurationOf(byId(configurations, 'org.example.membership.1')).parameters).toEqual({
        credential_definition: { type: ['VerifiableCredential', 'ExampleMembershipCard'] },
      });
    }
  });

  it('the deployment file and the development catalogue describe the same credentials (equal metadata versions)', () => {
    const deployed = readCredentialCatalogueFile(deployFile);
    for (const configuration of developmentCatalogue) {
      expect(credentialMetadataVersion(byId(deployed, configuration.id))).toBe(credentialMetadataVersion(configuration));
    }
  });

  it('names the file, the entry and the member of a schema violation', () => {
    const entry = { ...pid(), colour: 'blue' };
    expect(() => parse([entry])).toThrow(
      /catalogue\.json is not a valid credential catalogue:[\s\S]*\/0 \(configuration eu\.europa\.ec\.eudi\.pid\.1\).*additional properties/,
    );
    const withoutValidity: Partial<CredentialConfiguration> = pid();
    delete withoutValidity.validityDays;
    expect(() => parse([withoutValidity])).toThrow(/validityDays/);
    expect(() => parse([{ ...pid(), format: 'ldp_vc' }])).toThrow(/\/0\/format/);
    // The signing key is the signing keys file's choice (profile §26 activeByFormat), not a configuration member.
    expect(() => parse([{ ...pid(), signingKeyId: 'credential-signing-1' }])).toThrow(/additional properties/);
    expect(() => parseCredentialCatalogue('{', 'broken.json')).toThrow(/broken\.json: not JSON/);
  });

  it.each([
    ['a dc+sd-jwt without vct', () => ({ ...pid(), vct: undefined }), /format dc\+sd-jwt needs vct/],
    ['an mso_mdoc with a vct', () => ({ ...mdl(), vct: 'urn:x' }), /vct does not belong to format mso_mdoc/],
    [
      'a jwt_vc_json type without VerifiableCredential',
      () => ({ ...membership(), credential_definition: { type: ['ExampleMembershipCard'] } }),
      /VerifiableCredential/,
    ],
    ['a claim described twice', () => ({ ...pid(), claims: [...pid().claims, { path: ['given_name'] }] }), /claim \["given_name"\] is described twice/],
    [
      'a claim that is both an array and an object',
      () => ({ ...pid(), claims: [...pid().claims, { path: ['nationalities', null] }, { path: ['nationalities', 'first'] }] }),
      /contradict each other/,
    ],
    ['a disclosable claim that is not described', () => ({ ...pid(), disclosable: [['email']] }), /disclosable claim \["email"\] is not described/],
    ['disclosable claims in an mdoc', () => ({ ...mdl(), disclosable: [['org.iso.18013.5.1', 'family_name']] }), /disclosable applies to dc\+sd-jwt only/],
    ['an SD-JWT VC claim the issuer sets itself', () => ({ ...pid(), claims: [...pid().claims, { path: ['cnf'] }] }), /cnf is set by the issuer/],
    ['an mdoc claim without namespace and element', () => ({ ...mdl(), claims: [{ path: ['family_name'] }] }), /namespace and data element/],
    ['a jwt_vc_json claim outside credentialSubject', () => ({ ...membership(), claims: [{ path: ['tier'] }] }), /member of credentialSubject/],
    ['a display locale given twice', () => ({ ...pid(), display: [...pid().display, { name: 'Again', locale: 'EN' }] }), /display has locale EN twice/],
    [
      'a required key attestation nobody is trusted for',
      () => ({ ...pid(), keyAttestation: { required: true, trustedIssuers: [] } }),
      /keyAttestation\.required needs at least one trusted issuer/,
    ],
    [
      'attestation levels without requiring an attestation',
      () => ({ ...pid(), keyAttestation: { required: false, keyStorage: ['iso_18045_high'], trustedIssuers: [] } }),
      /apply only when required is true/,
    ],
  ])('refuses %s, naming the configuration', (_name, entry, message) => {
    expect(() => parse([entry()])).toThrow(message);
    expect(() => parse([entry()])).toThrow(/eu\.europa\.ec\.eudi\.pid\.1|org\.iso\.18013\.5\.1\.mDL|org\.example\.membership\.1/);
  });

  it('refuses a refresh time that is not before the expiry (profile §29, Refresh)', () => {
    expect(() => parse([{ ...pid(), validityDays: 30, refreshBeforeDays: 30 }])).toThrow(/refreshBeforeDays 30 must be below validityDays 30/);
    expect(parse([{ ...pid(), validityDays: 30, refreshBeforeDays: 29 }])).toHaveLength(1);
  });

  it('refreshes a tenth of the validity before expiry by default, and renews sets only within a period that ends before their refresh time', () => {
    const day = 86_400_000;
    expect(refreshTimingOf({ validityDays: 365 })).toEqual({ refreshBeforeMs: 37 * day, renewalPeriodMs: 328 * day });
    expect(refreshTimingOf({ validityDays: 90, refreshBeforeDays: 14 })).toEqual({ refreshBeforeMs: 14 * day, renewalPeriodMs: 76 * day });
    expect(refreshTimingOf({ validityDays: 1 })).toEqual({ refreshBeforeMs: 3_600_000, renewalPeriodMs: day - 3_600_000 });
    // Signed at any time t of a period, a set is due for refresh at t + renewalPeriod: never within the period it is reused in.
    for (const days of [1, 2, 7, 90, 365, 3650]) {
      const { refreshBeforeMs, renewalPeriodMs } = refreshTimingOf({ validityDays: days });
      expect(renewalPeriodMs + refreshBeforeMs).toBe(days * day);
      expect(renewalPeriodMs).toBeGreaterThan(0);
    }
  });

  it('refuses two configurations with one id', () => {
    expect(() => parse([pid(), pid()])).toThrow(/configuration eu\.europa\.ec\.eudi\.pid\.1 is defined twice/);
  });

  it('accepts every shipped configuration as it is (the refusals above come from the change alone)', () => {
    expect(parse([mdl(), pid(), membership()])).toHaveLength(3);
  });
});

describe('credential metadata version (S2S §Get Credential Metadata)', () => {
  const reordered = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(reordered)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .reverse()
              .map(([k, v]) => [k, reordered(v)]),
          )
        : value;

  it('is the same for the same display data, whatever the key order', () => {
    expect(credentialMetadataVersion(reordered(pid()) as CredentialConfiguration)).toBe(credentialMetadataVersion(pid()));
    expect(credentialMetadataVersion(pid())).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each([
    ['the credential name', (c: CredentialConfiguration) => ((c.display[0] as { name: string }).name = 'Renamed')],
    ['a colour', (c: CredentialConfiguration) => ((c.display[0] as { background_color?: string }).background_color = '#000000')],
    ['a new locale', (c: CredentialConfiguration) => c.display.push({ name: 'Données (TEST)', locale: 'fr' })],
    ['a claim display name', (c: CredentialConfiguration) => ((c.claims[0]?.display?.[0] as { name: string }).name = 'Surname')],
    ['a new claims order (the wallet shows claims in that order)', (c: CredentialConfiguration) => c.claims.reverse()],
    ['a claim added', (c: CredentialConfiguration) => c.claims.push({ path: ['email'], display: [{ name: 'E-mail', locale: 'en' }] })],
  ])('changes with %s', (_what, change) => {
    const changed = pid();
    change(changed);
    expect(credentialMetadataVersion(changed)).not.toBe(credentialMetadataVersion(pid()));
  });

  it.each([
    ['validityDays', { validityDays: 7 }],
    ['batchSize', { batchSize: 1 }],
    ['maxDevices', { maxDevices: 5 }],
    ['acceptedVerificationTypes', { acceptedVerificationTypes: [] }],
    ['keyAttestation', { keyAttestation: { required: true, trustedIssuers: ['https://attester.example'] } }],
    ['disclosable', { disclosable: [] }],
  ])('stays the same when %s (not display data) changes', (_member, change) => {
    expect(credentialMetadataVersion({ ...pid(), ...change } as CredentialConfiguration)).toBe(credentialMetadataVersion(pid()));
  });
});

describe('issuer metadata: credential_configurations_supported (OpenID4VCI §12.2.4)', () => {
  async function metadataFor(configurations: CredentialConfiguration[]) {
    return buildIssuerMetadata({
      credentialIssuer: 'https://issuer.example',
      issuerKeys: await generateIssuerKeys(),
      catalogue: createCredentialCatalogue(configurations),
      verificationTypes: [],
      limits: { requestDeadlineMs: 1000, maxAttempts: 3, initialDecisionWaitMs: 100, bodyLimitBytes: 1024, clientPayloadIatWindowMs: 300_000 },
      protocolRoutes: [],
    });
  }

  it('publishes format parameters, binding, algorithms, proof types, display, claims and the metadata version', async () => {
    const metadata = await metadataFor([mdl(), pid(), membership()]);
    const supported = metadata.credential_configurations_supported as Record<string, Record<string, unknown>>;
    expect(supported['org.iso.18013.5.1.mDL']).toMatchObject({
      format: 'mso_mdoc',
      doctype: 'org.iso.18013.5.1.mDL',
      cryptographic_binding_methods_supported: ['cose_key'],
      // Appendix A.2.2: COSE identifiers for mdoc (ES256 → -7).
      credential_signing_alg_values_supported: [-7],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
      credential_metadata: { display: mdl().display, claims: mdl().claims },
      credential_metadata_version: credentialMetadataVersion(mdl()),
      max_batch_size: 10,
      max_authorized_devices: 2,
    });
    expect(supported['eu.europa.ec.eudi.pid.1']).toMatchObject({
      format: 'dc+sd-jwt',
      vct: 'urn:eudi:pid:1',
      cryptographic_binding_methods_supported: ['jwk'],
      credential_signing_alg_values_supported: ['ES256'],
    });
    expect(supported['org.example.membership.1']).toMatchObject({
      format: 'jwt_vc_json',
      credential_definition: { type: ['VerifiableCredential', 'ExampleMembershipCard'] },
    });
    // The development catalogue requires no key attestation: the member must then be absent (§12.2.4).
    expect(JSON.stringify(supported)).not.toContain('key_attestations_required');
    expect(metadata.batch_credential_issuance).toEqual({ batch_size: 10 });
  });

  it('asks for key attestations only where the policy requires them', async () => {
    const required = { ...pid(), keyAttestation: { required: true, keyStorage: ['iso_18045_high' as const], trustedIssuers: ['https://attester.example'] } };
    const metadata = await metadataFor([required]);
    const entry = (metadata.credential_configurations_supported as unknown as Record<string, { proof_types_supported: unknown }>)['eu.europa.ec.eudi.pid.1'];
    expect(entry?.proof_types_supported).toEqual({
      jwt: { proof_signing_alg_values_supported: ['ES256'], key_attestations_required: { key_storage: ['iso_18045_high'] } },
    });
    // The trusted attesters are the issuer's policy, not metadata.
    expect(JSON.stringify(metadata)).not.toContain('attester.example');
  });

  it('keeps policy-only configurations as before and announces no batch issuance when no configuration allows one', async () => {
    const metadata = buildIssuerMetadata({
      credentialIssuer: 'https://issuer.example',
      issuerKeys: await generateIssuerKeys(),
      catalogue: createCredentialCatalogue([{ id: 'x', format: 'mso_mdoc', acceptedVerificationTypes: ['urn:t'], maxDevices: 1 }]),
      verificationTypes: [],
      limits: { requestDeadlineMs: 1000, maxAttempts: 3, initialDecisionWaitMs: 100, bodyLimitBytes: 1024, clientPayloadIatWindowMs: 300_000 },
      protocolRoutes: [],
    });
    expect(metadata.credential_configurations_supported).toEqual({
      x: { format: 'mso_mdoc', accepted_verification_types: ['urn:t'], required_verification_type_sets: [['urn:t']], max_authorized_devices: 1 },
    });
    expect(metadata).not.toHaveProperty('batch_credential_issuance');
    expect((await metadataFor([{ ...membership(), batchSize: 1 }])).batch_credential_issuance).toBeUndefined();
  });
});
