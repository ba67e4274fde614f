import { encodeCbor } from './credential-formats/mdoc-cbor';

/** RFC 9052 §4.4 Sig_structure of a COSE_Sign1 without external AAD: the bytes its signature covers. */
export function coseSign1SigStructure(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedHeader, new Uint8Array(0), payload]);
}
