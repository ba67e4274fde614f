import { compactVerify, decodeProtectedHeader, jwtVerify } from 'jose';
import { createIssuerCredentialFormats } from '../../../crypto/credential-formats';
import { elementsWithWrongDigest, issuerAuthSignatureValid, readIssuerSigned } from '../../../crypto/credential-formats/mdoc-read';
import { developmentCatalogue } from '../../../config/verification';
import { configurationsWithoutFormat, credentialFormatFor, CredentialFormatId } from '../../../domain/credential-formats/format';
import { issuanceConfigurationOf } from '../../../domain/credential-configurations';
import { claimsForHolder } from '../../../domain/issuer-data-source';
import { fakeHolders } from '../../../dev/fake-holders';
import { createHolderKey, createTestCredentialSigning, verifyX5cChain } from '../../support/credential-signing';
import { decodeSdJwtByHand } from '../../support/sd-jwt-by-hand';

const issuer = 'https://issuer.test';
const formats = createIssuerCredentialFormats({ issuer });
const erika = fakeHolders[0];

/**
 * The shipped configurations (profile §27), the development holder records and the formats
 * (profile §26) fit together: for every configuration, the fake holder's claims become a
 * credential that a reader other than the issuing code accepts.
 */
describe('shipped credential configurations issue real credentials from the development holder records', () => {
  it('has a format for every shipped configuration', () => {
    expect(configurationsWithoutFormat(formats, developmentCatalogue.map(issuanceConfigurationOf))).toEqual([]);
  });

  it.each(developmentCatalogue.map((configuration) => [configuration.id, configuration] as const))('issues %s', async (_id, configuration) => {
    if (!erika) throw new Error('no development holder');
    const outcome = claimsForHolder(erika, configuration);
    if (outcome.outcome !== 'ready') throw new Error(`holder data for ${configuration.id}: ${outcome.outcome}`);
    const { signer, trustAnchor } = await createTestCredentialSigning();
    const holder = await createHolderKey();
    const issuedAt = new Date();
    const issuance = issuanceConfigurationOf(configuration);
    const issued = await credentialFormatFor(formats, issuance).issue({
      configuration: issuance,
      claims: outcome.claims,
      holderKey: holder.publicJwk,
      validity: { issuedAt, validFrom: issuedAt, validUntil: new Date(issuedAt.getTime() + 30 * 86_400_000) },
      status: { uri: 'https://status.issuer.test/status-lists/1', index: 42 },
      signer,
    });

    if (configuration.format === CredentialFormatId.mdoc) {
      const read = readIssuerSigned(issued.credential);
      expect(elementsWithWrongDigest(read)).toEqual([]);
      expect(issuerAuthSignatureValid(read.issuerAuth)).toBe(true);
      return;
    }
    const jws = configuration.format === CredentialFormatId.sdJwtVc ? (issued.credential.split('~')[0] as string) : issued.credential;
    const leafKey = verifyX5cChain(decodeProtectedHeader(jws).x5c, trustAnchor);
    if (configuration.format === CredentialFormatId.jwtVcJson) {
      const { payload } = await jwtVerify(jws, leafKey);
      expect(payload).toMatchObject({ iss: issuer, cnf: { jwk: { x: holder.publicJwk.x } }, status: { status_list: { idx: 42 } } });
    } else {
      // The configuration's disclosable claims are disclosures, not signed in clear (profile §26).
      const disclosed = decodeSdJwtByHand(issued.credential).disclosures.map((disclosure) => disclosure.name);
      for (const path of configuration.disclosable ?? [])
        if (typeof path[0] === 'string' && path[0] in outcome.claims && path.length === 1) expect(disclosed).toContain(path[0]);
      expect(disclosed.length).toBeGreaterThan(0);
      const { payload } = await compactVerify(jws, leafKey);
      expect(JSON.parse(Buffer.from(payload).toString('utf8'))).toMatchObject({
        iss: issuer,
        vct: issuance.parameters.vct,
        cnf: { jwk: { x: holder.publicJwk.x } },
      });
    }
  });
});
