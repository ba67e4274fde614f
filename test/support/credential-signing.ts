import { X509Certificate, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { createSoftwareSigner } from '../../crypto/credential-signer';
import type { CredentialSigner } from '../../domain/credential-formats/format';
import type { PublicJwk } from '../../domain/schemas/common';
import { createCredentialSigningMaterial, type CredentialSigningMaterial } from '../../dev/dev-pki';

/** A credential signer as development material makes it: a signing CA and an ES256 leaf. */
export async function createTestCredentialSigning(): Promise<{ signer: CredentialSigner; trustAnchor: X509Certificate; material: CredentialSigningMaterial }> {
  const material = await createCredentialSigningMaterial();
  const signer = createSoftwareSigner({ privateJwk: material.privateJwk, alg: 'ES256', certificateChain: material.certificateChain, keyId: 'test-signer-1' });
  return { signer, trustAnchor: new X509Certificate(Buffer.from(material.certificateChain[1] as string, 'base64')), material };
}

/**
 * Validates an x5c chain with node:crypto, not with the code under test: every certificate is
 * issued and signed by the next, the last by the trust anchor, all valid at `now`. Returns the
 * leaf's public key.
 */
export function verifyX5cChain(x5c: unknown, trustAnchor: X509Certificate, now = new Date()): KeyObject {
  if (!Array.isArray(x5c) || x5c.length === 0) throw new Error('no x5c');
  const chain = x5c.map((der) => new X509Certificate(Buffer.from(String(der), 'base64')));
  const issuers = [...chain.slice(1), trustAnchor];
  chain.forEach((certificate, i) => {
    const issuer = issuers[i] as X509Certificate;
    if (!certificate.checkIssued(issuer) || !certificate.verify(issuer.publicKey)) throw new Error(`x5c[${i}] is not signed by its issuer`);
    if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) throw new Error(`x5c[${i}] is not valid now`);
  });
  return (chain[0] as X509Certificate).publicKey;
}

/** A holder's key pair; the public JWK carries alg as S2S §KeyData requires. */
export async function createHolderKey(): Promise<{ publicJwk: PublicJwk; privateKey: CryptoKey }> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { publicJwk: { ...(await exportJWK(publicKey)), alg: 'ES256' } as PublicJwk, privateKey };
}
