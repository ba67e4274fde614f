import { developmentCatalogue } from '../../config/verification';
import { fakeHolders } from '../../dev/fake-holders';
import type { CredentialConfiguration } from '../../domain/credential-configurations';
import { claimsForHolder, type HolderRecord } from '../../domain/issuer-data-source';

const configuration = (id: string) => developmentCatalogue.find((c) => c.id === id) as CredentialConfiguration;
const holder = (id: string) => fakeHolders.find((h) => h.holderAccountId === id) as HolderRecord;
const mdl = configuration('org.iso.18013.5.1.mDL');
const pid = configuration('eu.europa.ec.eudi.pid.1');
const membership = configuration('org.example.membership.1');

describe('claims from the issuer records (profile §Credential configurations, Holder data)', () => {
  it('gives dc+sd-jwt claims as top-level members, only those the configuration describes', () => {
    const result = claimsForHolder(holder('test-holder-erika'), pid);
    expect(result.outcome).toBe('ready');
    if (result.outcome !== 'ready') return;
    expect(result.claims).toMatchObject({ family_name: 'Mustermann (TEST)', given_name: 'Erika', birthdate: '1984-01-26', nationalities: ['DE'] });
    expect(result.claims.address).toEqual({ street_address: 'Heidestraße', house_number: '17', postal_code: '51147', locality: 'Köln', country: 'DE' });
    expect(result.claims.age_equal_or_over).toEqual({ '18': true });
    // In the records, described by no claim: data minimisation keeps it out.
    expect(result.claims).not.toHaveProperty('internal_case_note');
  });

  it('gives mso_mdoc claims as namespace → data elements', () => {
    const result = claimsForHolder(holder('test-holder-erika'), mdl);
    if (result.outcome !== 'ready') throw new Error(`expected ready, got ${result.outcome}`);
    expect(Object.keys(result.claims)).toEqual(['org.iso.18013.5.1']);
    expect(result.claims['org.iso.18013.5.1']).toMatchObject({ document_number: 'TEST0000001', un_distinguishing_sign: 'D', age_over_18: true });
  });

  it('gives jwt_vc_json claims as the credentialSubject itself', () => {
    const result = claimsForHolder(holder('test-holder-jan'), membership);
    expect(result).toEqual({
      outcome: 'ready',
      claims: { member_id: 'TEST-M-0002', given_name: 'Jan', family_name: 'Jansen (TEST)', tier: 'basic', member_since: '2023-11-20' },
    });
  });

  it('leaves out optional claims the records lack, and reports the mandatory ones missing', () => {
    const max = claimsForHolder(holder('test-holder-max'), pid);
    if (max.outcome !== 'ready') throw new Error(`expected ready, got ${max.outcome}`);
    expect(max.claims).not.toHaveProperty('address');
    const lacking: HolderRecord = {
      holderAccountId: 'test-holder-x',
      datasets: [{ configurationId: pid.id, claims: { given_name: 'X', family_name: null, nationalities: ['DE'] } }],
    };
    const result = claimsForHolder(lacking, pid);
    expect(result.outcome).toBe('incomplete');
    if (result.outcome === 'incomplete') {
      expect(result.missing).toEqual([['family_name'], ['birthdate'], ['issuing_authority'], ['issuing_country'], ['date_of_expiry']]);
    }
  });

  it('reports a data set that is not ready yet as pending, with the estimate (deferred issuance)', () => {
    expect(claimsForHolder(holder('test-holder-max'), mdl)).toEqual({ outcome: 'pending', notReadyUntil: new Date('2027-01-15T00:00:00Z') });
  });

  it('reports no data for a configuration the holder has none for', () => {
    expect(claimsForHolder(holder('test-holder-max'), membership)).toEqual({ outcome: 'no_data' });
    expect(claimsForHolder(holder('test-holder-jan'), pid)).toEqual({ outcome: 'no_data' });
  });

  it('seeds only clearly fake holders', () => {
    for (const record of fakeHolders) {
      expect(record.holderAccountId).toMatch(/^test-holder-/);
      expect(JSON.stringify(record.datasets)).not.toMatch(/family_name":"(?![^"]*\(TEST\))/);
    }
  });
});
