import type { Db } from 'mongodb';
import type { DataKeyring } from '../crypto/data-encryption';
import type { HolderRecord } from '../domain/issuer-data-source';
import { createIssuerHolderRepository } from '../store/issuer-holders';

/**
 * Clearly fake holders for the development stack and the tests (profile §Credential
 * configurations, Holder data): every name carries "(TEST)", numbers are the specimen kind, and
 * the account ids start with `test-holder-`. Their claims follow the shipped configurations'
 * claims paths (config/shipped-credential-configurations.ts).
 */
const mdl = 'org.iso.18013.5.1.mDL';
const pid = 'eu.europa.ec.eudi.pid.1';
const membership = 'org.example.membership.1';
const mdlNamespace = 'org.iso.18013.5.1';

export const fakeHolders: readonly HolderRecord[] = [
  {
    // Every configuration ready.
    holderAccountId: 'test-holder-erika',
    datasets: [
      {
        configurationId: mdl,
        claims: {
          [mdlNamespace]: {
            family_name: 'Mustermann (TEST)',
            given_name: 'Erika',
            birth_date: '1984-01-26',
            issue_date: '2024-03-01',
            expiry_date: '2039-02-28',
            issuing_country: 'ZZ',
            issuing_authority: 'Example Licensing Authority (TEST)',
            document_number: 'TEST0000001',
            driving_privileges: [
              { vehicle_category_code: 'B', issue_date: '2002-05-10', expiry_date: '2039-02-28' },
              { vehicle_category_code: 'AM', issue_date: '2000-06-01' },
            ],
            un_distinguishing_sign: 'D',
            resident_address: 'Heidestraße 17, 51147 Köln (TEST)',
            age_over_18: true,
          },
        },
      },
      {
        configurationId: pid,
        claims: {
          family_name: 'Mustermann (TEST)',
          given_name: 'Erika',
          birthdate: '1984-01-26',
          place_of_birth: { locality: 'Berlin', country: 'DE' },
          nationalities: ['DE'],
          address: { street_address: 'Heidestraße', house_number: '17', postal_code: '51147', locality: 'Köln', country: 'DE' },
          age_equal_or_over: { '18': true },
          issuing_authority: 'Example PID Provider (TEST)',
          issuing_country: 'DE',
          date_of_expiry: '2031-08-01',
          // Kept in the records, described by no configuration: never issued.
          internal_case_note: 'test record',
        },
      },
      {
        configurationId: membership,
        claims: {
          credentialSubject: { member_id: 'TEST-M-0001', given_name: 'Erika', family_name: 'Mustermann (TEST)', tier: 'gold', member_since: '2015-04-01' },
        },
      },
    ],
  },
  {
    // A PID ready, a driving licence still being produced (deferred issuance), no membership.
    holderAccountId: 'test-holder-max',
    datasets: [
      {
        configurationId: pid,
        claims: {
          family_name: 'Mustermann (TEST)',
          given_name: 'Max',
          birthdate: '1982-07-14',
          nationalities: ['DE', 'AT'],
          issuing_authority: 'Example PID Provider (TEST)',
          issuing_country: 'DE',
          date_of_expiry: '2030-01-31',
        },
      },
      { configurationId: mdl, claims: {}, pending: { notReadyUntil: new Date('2027-01-15T00:00:00Z') } },
    ],
  },
  {
    // A member only.
    holderAccountId: 'test-holder-jan',
    datasets: [
      {
        configurationId: membership,
        claims: { credentialSubject: { member_id: 'TEST-M-0002', given_name: 'Jan', family_name: 'Jansen (TEST)', tier: 'basic', member_since: '2023-11-20' } },
      },
    ],
  },
];

/** Writes the fake holders; repeating it leaves the same records (each is replaced whole). */
export async function seedFakeHolders(db: Db, keyring: DataKeyring): Promise<number> {
  const repository = createIssuerHolderRepository(db, keyring);
  for (const holder of fakeHolders) await repository.putHolder(holder);
  return fakeHolders.length;
}
