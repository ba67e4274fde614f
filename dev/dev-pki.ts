import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { mdocDocumentSignerKeyPurpose } from '../crypto/credential-signing-keys';

type KeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface IssuedCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

export interface CertificateAuthority extends IssuedCertificate {
  certificate: x509.X509Certificate;
  keys: KeyPair;
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

function generateKeys(): Promise<KeyPair> {
  return webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']);
}

const validity = (days: number) => ({ notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + days * 24 * 3600 * 1000) });

/** A development CA that signs the Issuer Server's certificate and Wallet Server client certificates. */
export async function createCertificateAuthority(commonName: string): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${commonName}`,
    keys,
    signingAlgorithm,
    ...validity(3650),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate, keys, certificatePem: certificate.toString('pem'), privateKeyPem: await privateKeyPem(keys.privateKey) };
}

/** A leaf certificate for TLS: `server` for the Issuer API, `client` for a Wallet Server (mTLS). */
export async function issueCertificate(
  ca: CertificateAuthority,
  options: { commonName: string; usage: 'server' | 'client'; dnsNames?: string[]; ipAddresses?: string[]; days?: number },
): Promise<IssuedCertificate> {
  const keys = await generateKeys();
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const certificate = await x509.X509CertificateGenerator.create({
    subject: `CN=${options.commonName}`,
    issuer: ca.certificate.subject,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm,
    ...validity(options.days ?? 825),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      ...(altNames.length > 0 ? [new x509.SubjectAlternativeNameExtension(altNames)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return { certificatePem: certificate.toString('pem'), privateKeyPem: await privateKeyPem(keys.privateKey) };
}

/** Reloads a CA written by createCertificateAuthority, to issue more certificates from it. */
export async function loadCertificateAuthority(certificatePem: string, privateKeyPem: string): Promise<CertificateAuthority> {
  const certificate = new x509.X509Certificate(certificatePem);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(privateKeyPem), ecdsa, false, ['sign']);
  const publicKey = await certificate.publicKey.export(ecdsa, ['verify']);
  return { certificate, keys: { privateKey, publicKey: publicKey as unknown as webcrypto.CryptoKey }, certificatePem, privateKeyPem };
}

/**
 * A CRL signed by `ca` listing the given certificates (PEM) as revoked, valid for `days`: what
 * S2S_TLS_CRL_FILE holds (profile §1). An empty list is a valid CRL that revokes nothing.
 */
export async function createCertificateRevocationList(ca: CertificateAuthority, revokedCertificatesPem: string[], days = 7): Promise<string> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.certificate.subject,
    signingKey: ca.keys.privateKey,
    signingAlgorithm,
    thisUpdate: new Date(Date.now() - 60_000),
    nextUpdate: new Date(Date.now() + days * 24 * 3600 * 1000),
    entries: revokedCertificatesPem.map((pem) => ({ serialNumber: new x509.X509Certificate(pem).serialNumber, revocationDate: new Date(Date.now() - 60_000) })),
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey)],
  });
  // OpenSSL (Node's `crl` option) reads only the RFC 7468 label `X509 CRL`.
  return x509.PemConverter.encode(crl.rawData, 'X509 CRL');
}

export { mdocDocumentSignerKeyPurpose };

export interface MdocIssuerPki {
  /** The Issuing Authority CA: the trust anchor a verifier holds; not sent in x5chain. */
  iaca: CertificateAuthority;
  /** The document signer that signs Mobile Security Objects; its certificate is the x5chain leaf. */
  documentSigner: IssuedCertificate;
}

interface MdocPkiOptions {
  country?: string;
  organization?: string;
  issuerUrl?: string;
}

function mdocNames(options: MdocPkiOptions) {
  const country = options.country ?? 'ZZ';
  const organization = options.organization ?? 'S2S Issuer Development';
  const issuerUrl = options.issuerUrl ?? 'https://localhost';
  return {
    iaca: `C=${country}, O=${organization}, CN=${organization} IACA`,
    documentSigner: `C=${country}, O=${organization}, CN=${organization} Document Signer`,
    issuerAlternativeName: new x509.IssuerAlternativeNameExtension([{ type: 'url', value: issuerUrl }]),
    crlDistributionPoints: new x509.CRLDistributionPointsExtension([`${issuerUrl}/mdoc-iaca.crl`]),
  };
}

/** Annex B: serial numbers are positive, non-sequential and at most 20 octets. */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/**
 * A development IACA and one document signer certificate, shaped after ISO/IEC 18013-5 Annex B
 * as far as @peculiar/x509 lets us: a country in both subjects (the DS's equal to the IACA's),
 * a random serial, issuer alternative names, CRL distribution points, the IACA limited to
 * signing certificates and CRLs with path length 0, the DS to digitalSignature with the
 * critical mdoc DS extended key usage. Validities stay within Annex B's maxima (IACA 20 years,
 * DS 457 days). `ZZ` is an ISO 3166 user-assigned code: no real country.
 */
export async function createMdocIssuerPki(options: MdocPkiOptions = {}): Promise<MdocIssuerPki> {
  const names = mdocNames(options);
  const iacaKeys = await generateKeys();
  const iacaCertificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: names.iaca,
    keys: iacaKeys,
    signingAlgorithm,
    ...validity(3650),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(iacaKeys.publicKey),
      names.issuerAlternativeName,
      names.crlDistributionPoints,
    ],
  });
  const iaca: CertificateAuthority = {
    certificate: iacaCertificate,
    keys: iacaKeys,
    certificatePem: iacaCertificate.toString('pem'),
    privateKeyPem: await privateKeyPem(iacaKeys.privateKey),
  };
  return { iaca, documentSigner: await issueMdocDocumentSigner(iaca, options) };
}

/**
 * A document signer certificate from an IACA (createMdocIssuerPki's, or one reloaded with
 * loadCertificateAuthority): how development material renews the DS while the IACA stays the
 * verifiers' trust anchor. The options must be the IACA's (the DS's country equals the IACA's).
 */
export async function issueMdocDocumentSigner(iaca: CertificateAuthority, options: MdocPkiOptions & { days?: number } = {}): Promise<IssuedCertificate> {
  const names = mdocNames(options);
  const signerKeys = await generateKeys();
  const signerCertificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: names.documentSigner,
    issuer: iaca.certificate.subject,
    publicKey: signerKeys.publicKey,
    signingKey: iaca.keys.privateKey,
    signingAlgorithm,
    ...validity(options.days ?? 365),
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([mdocDocumentSignerKeyPurpose], true),
      await x509.AuthorityKeyIdentifierExtension.create(iaca.keys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(signerKeys.publicKey),
      names.issuerAlternativeName,
      names.crlDistributionPoints,
    ],
  });
  return { certificatePem: signerCertificate.toString('pem'), privateKeyPem: await privateKeyPem(signerKeys.privateKey) };
}

/**
 * Development material for signing JOSE credentials (dc+sd-jwt, jwt_vc_json): an issuer signing
 * CA, kept apart from the TLS CA above so a TLS certificate never verifies a credential, and a
 * leaf certifying one ES256 key, the `x5c` of every credential signed with it.
 */
export interface CredentialSigningMaterial {
  ca: CertificateAuthority;
  /** Base64 DER, leaf first, ending with the CA (the signing-keys file's certificateChain). */
  certificateChain: string[];
  /** The leaf's private key as a JWK, for the signing-keys file. */
  privateJwk: { kty: string; crv: string; x: string; y: string; d: string };
}

export async function createCredentialSigningMaterial(
  options: { commonName?: string; ca?: CertificateAuthority; days?: number } = {},
): Promise<CredentialSigningMaterial> {
  const ca = options.ca ?? (await createCertificateAuthority('S2S Issuer Development Credential Signing CA'));
  const keys = await generateKeys();
  const certificate = await x509.X509CertificateGenerator.create({
    subject: `CN=${options.commonName ?? 'S2S Issuer Development Credential Signer'}`,
    issuer: ca.certificate.subject,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm,
    ...validity(options.days ?? 365),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      // Signs credentials only (RFC 5280 §4.2.1.3): digitalSignature, no key agreement, no TLS EKU.
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  const der = (value: ArrayBuffer) => Buffer.from(value).toString('base64');
  // Only the key members: no key_ops or ext from WebCrypto in the signing-keys file.
  const { kty, crv, x, y, d } = await webcrypto.subtle.exportKey('jwk', keys.privateKey);
  return {
    ca,
    certificateChain: [der(certificate.rawData), der(ca.certificate.rawData)],
    privateJwk: { kty, crv, x, y, d } as CredentialSigningMaterial['privateJwk'],
  };
}
