import type { JsonWebKey } from 'node:crypto';
import type * as Mdl from '@auth0/mdl';
import { decodeCbor, embeddedCbor, encodeCbor } from '../../crypto/credential-formats/mdoc-cbor';

/**
 * An mdoc as a wallet presents it, checked by @auth0/mdl (an implementation independent of the
 * issuing code): the issued IssuerSigned wrapped in a DeviceResponse, the requested elements
 * disclosed and DeviceAuthentication signed with the holder's key, then verified with an IACA
 * as the only trust anchor. The caller passes @auth0/mdl loaded in its own module registry
 * (jest.isolateModulesAsync): it registers cbor-x tag handlers for the whole registry.
 */
export type MdlModule = typeof Mdl;
export type MdlCheck = Parameters<Mdl.Verifier['verify']>[1] extends infer O
  ? O extends { onCheck?: (item: infer I, ...rest: never[]) => void }
    ? I
    : never
  : never;

/** ISO 18013-5 §9.1.5.1 SessionTranscriptBytes = #6.24(bstr .cbor SessionTranscript); a test handover. */
const sessionTranscriptBytes = Buffer.from(encodeCbor(embeddedCbor(encodeCbor([null, null, ['test-handover']]))));

/** A DeviceResponse-shaped mdoc around the issued IssuerSigned (base64url), as a wallet stores it. */
function walletMdoc(credential: string, docType: string): Uint8Array {
  const document = new Map<string, unknown>([
    ['docType', docType],
    ['issuerSigned', decodeCbor(Buffer.from(credential, 'base64url'))],
  ]);
  return encodeCbor(
    new Map<string, unknown>([
      ['version', '1.0'],
      ['documents', [document]],
      ['status', 0],
    ]),
  );
}

/** Presents `elements` of `namespace` and verifies the presentation against `trustedIacaPem`; every check @auth0/mdl made. */
export async function presentAndVerifyMdoc(
  mdl: MdlModule,
  options: { credential: string; docType: string; namespace: string; elements: readonly string[]; devicePrivateJwk: JsonWebKey; trustedIacaPem: string },
): Promise<MdlCheck[]> {
  const presentationDefinition = {
    id: 'mdoc-presentation-test',
    input_descriptors: [
      {
        id: options.docType,
        format: { mso_mdoc: { alg: ['ES256'] } },
        constraints: {
          limit_disclosure: 'required',
          fields: options.elements.map((element) => ({ path: [`$['${options.namespace}']['${element}']`], intent_to_retain: false })),
        },
      },
    ],
  };
  const response = await mdl.DeviceResponse.from(mdl.parse(walletMdoc(options.credential, options.docType)))
    .usingPresentationDefinition(presentationDefinition)
    .usingSessionTranscriptBytes(sessionTranscriptBytes)
    .authenticateWithSignature(options.devicePrivateJwk as Parameters<Mdl.DeviceResponse['authenticateWithSignature']>[0], 'ES256')
    .sign();
  const checks: MdlCheck[] = [];
  await new mdl.Verifier([options.trustedIacaPem]).verify(response.encode(), {
    encodedSessionTranscript: sessionTranscriptBytes,
    onCheck: (item) => {
      checks.push(item);
    },
  });
  return checks;
}
