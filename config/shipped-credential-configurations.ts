import type { CredentialConfiguration } from '../domain/credential-configurations';

/**
 * The three credential configurations this issuer ships (profile §Credential configurations),
 * without their verification policy: the development catalogue (config/verification.ts) and
 * deploy/credential-catalogue.json add theirs, and a test checks that both describe the same
 * credentials (equal metadata versions).
 */
export type ShippedConfiguration = Omit<CredentialConfiguration, 'acceptedVerificationTypes' | 'requiredTypeSets' | 'maxDevices' | 'keyAttestation'>;

const en = (name: string) => ({ name, locale: 'en' });
const de = (name: string) => ({ name, locale: 'de' });

/** ISO/IEC 18013-5 §7.2.1 mDL data elements, namespace org.iso.18013.5.1 (dates are full-date strings). */
const mdlNamespace = 'org.iso.18013.5.1';
export const mobileDrivingLicence: ShippedConfiguration = {
  id: 'org.iso.18013.5.1.mDL',
  format: 'mso_mdoc',
  doctype: 'org.iso.18013.5.1.mDL',
  display: [
    {
      name: 'Mobile Driving Licence (TEST)',
      locale: 'en',
      description: 'ISO/IEC 18013-5 mobile driving licence issued by the example issuer',
      background_color: '#12107c',
      text_color: '#ffffff',
      logo: { uri: 'https://issuer.example/logos/mdl.png', alt_text: 'Driving licence logo' },
    },
    {
      name: 'Mobiler Führerschein (TEST)',
      locale: 'de',
      description: 'Mobiler Führerschein nach ISO/IEC 18013-5',
      background_color: '#12107c',
      text_color: '#ffffff',
    },
  ],
  claims: [
    { path: [mdlNamespace, 'family_name'], mandatory: true, display: [en('Family name'), de('Familienname')] },
    { path: [mdlNamespace, 'given_name'], mandatory: true, display: [en('Given names'), de('Vornamen')] },
    { path: [mdlNamespace, 'birth_date'], mandatory: true, display: [en('Date of birth'), de('Geburtsdatum')] },
    { path: [mdlNamespace, 'issue_date'], mandatory: true, display: [en('Date of issue'), de('Ausstellungsdatum')] },
    { path: [mdlNamespace, 'expiry_date'], mandatory: true, display: [en('Date of expiry'), de('Ablaufdatum')] },
    { path: [mdlNamespace, 'issuing_country'], mandatory: true, display: [en('Issuing country'), de('Ausstellungsstaat')] },
    { path: [mdlNamespace, 'issuing_authority'], mandatory: true, display: [en('Issuing authority'), de('Ausstellende Behörde')] },
    { path: [mdlNamespace, 'document_number'], mandatory: true, display: [en('Licence number'), de('Führerscheinnummer')] },
    { path: [mdlNamespace, 'driving_privileges'], mandatory: true, display: [en('Driving privileges'), de('Fahrerlaubnisklassen')] },
    { path: [mdlNamespace, 'un_distinguishing_sign'], mandatory: true, display: [en('UN distinguishing sign'), de('Unterscheidungszeichen')] },
    // Mandatory in ISO/IEC 18013-5, but a byte string: optional here until the holder records carry images.
    { path: [mdlNamespace, 'portrait'], display: [en('Portrait'), de('Lichtbild')] },
    { path: [mdlNamespace, 'resident_address'], display: [en('Address'), de('Anschrift')] },
    { path: [mdlNamespace, 'age_over_18'], display: [en('Over 18'), de('Über 18')] },
  ],
  validityDays: 365,
  batchSize: 10,
  credentialSigningAlgorithms: ['ES256'],
  proofSigningAlgorithms: ['ES256'],
};

/** EU PID as SD-JWT VC, claim names of the PID rulebook (ARF Annex 3.1, SD-JWT VC encoding). */
export const personIdentificationData: ShippedConfiguration = {
  id: 'eu.europa.ec.eudi.pid.1',
  format: 'dc+sd-jwt',
  vct: 'urn:eudi:pid:1',
  display: [
    {
      name: 'Person Identification Data (TEST)',
      locale: 'en',
      description: 'Person identification data issued by the example issuer; not a real identity document',
      background_color: '#003399',
      text_color: '#ffcc00',
      logo: { uri: 'https://issuer.example/logos/pid.png', alt_text: 'PID logo' },
    },
    {
      name: 'Personenidentifizierungsdaten (TEST)',
      locale: 'de',
      description: 'Personenidentifizierungsdaten des Beispiel-Ausstellers',
      background_color: '#003399',
      text_color: '#ffcc00',
    },
  ],
  claims: [
    { path: ['family_name'], mandatory: true, display: [en('Family name'), de('Familienname')] },
    { path: ['given_name'], mandatory: true, display: [en('Given names'), de('Vornamen')] },
    { path: ['birthdate'], mandatory: true, display: [en('Date of birth'), de('Geburtsdatum')] },
    { path: ['place_of_birth', 'locality'], display: [en('Place of birth'), de('Geburtsort')] },
    { path: ['place_of_birth', 'country'], display: [en('Country of birth'), de('Geburtsland')] },
    { path: ['nationalities'], mandatory: true, display: [en('Nationalities'), de('Staatsangehörigkeiten')] },
    { path: ['address', 'street_address'], display: [en('Street'), de('Straße')] },
    { path: ['address', 'house_number'], display: [en('House number'), de('Hausnummer')] },
    { path: ['address', 'postal_code'], display: [en('Postal code'), de('Postleitzahl')] },
    { path: ['address', 'locality'], display: [en('City'), de('Ort')] },
    { path: ['address', 'country'], display: [en('Country'), de('Land')] },
    { path: ['age_equal_or_over', '18'], display: [en('Aged 18 or over'), de('Mindestens 18 Jahre')] },
    { path: ['issuing_authority'], mandatory: true, display: [en('Issuing authority'), de('Ausstellende Behörde')] },
    { path: ['issuing_country'], mandatory: true, display: [en('Issuing country'), de('Ausstellungsstaat')] },
    { path: ['date_of_expiry'], mandatory: true, display: [en('Date of expiry'), de('Ablaufdatum')] },
  ],
  // The holder's attributes are disclosed selectively; the administrative ones travel in clear.
  disclosable: [
    ['family_name'],
    ['given_name'],
    ['birthdate'],
    ['place_of_birth', 'locality'],
    ['place_of_birth', 'country'],
    ['nationalities'],
    ['address', 'street_address'],
    ['address', 'house_number'],
    ['address', 'postal_code'],
    ['address', 'locality'],
    ['address', 'country'],
    ['age_equal_or_over', '18'],
  ],
  validityDays: 90,
  batchSize: 10,
  credentialSigningAlgorithms: ['ES256'],
  proofSigningAlgorithms: ['ES256'],
};

/** A membership card as a W3C VCDM 2.0 credential secured as a JWT (OpenID4VCI Appendix A.1.1). */
export const membershipCard: ShippedConfiguration = {
  id: 'org.example.membership.1',
  format: 'jwt_vc_json',
  credential_definition: { type: ['VerifiableCredential', 'ExampleMembershipCard'] },
  display: [
    {
      name: 'Example Club Membership (TEST)',
      locale: 'en',
      description: 'Membership card of the example club',
      background_color: '#1b5e20',
      text_color: '#ffffff',
      logo: { uri: 'https://issuer.example/logos/membership.png', alt_text: 'Example Club logo' },
    },
    {
      name: 'Mitgliedsausweis Beispielverein (TEST)',
      locale: 'de',
      description: 'Mitgliedsausweis des Beispielvereins',
      background_color: '#1b5e20',
      text_color: '#ffffff',
    },
  ],
  claims: [
    { path: ['credentialSubject', 'member_id'], mandatory: true, display: [en('Member number'), de('Mitgliedsnummer')] },
    { path: ['credentialSubject', 'given_name'], mandatory: true, display: [en('Given name'), de('Vorname')] },
    { path: ['credentialSubject', 'family_name'], mandatory: true, display: [en('Family name'), de('Familienname')] },
    { path: ['credentialSubject', 'tier'], mandatory: true, display: [en('Membership tier'), de('Mitgliedsstufe')] },
    { path: ['credentialSubject', 'member_since'], mandatory: true, display: [en('Member since'), de('Mitglied seit')] },
  ],
  validityDays: 365,
  batchSize: 3,
  credentialSigningAlgorithms: ['ES256'],
  proofSigningAlgorithms: ['ES256'],
};

export const shippedCredentialConfigurations: readonly ShippedConfiguration[] = [mobileDrivingLicence, personIdentificationData, membershipCard];
