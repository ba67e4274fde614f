/**
 * RFC 9053 §2.1, §2.2 (IANA COSE Algorithms): the COSE identifiers of the JOSE algorithm names
 * a signer reports and a catalogue names. One table for the mdoc MSO, the CWT Status List Token
 * and the mso_mdoc metadata.
 */
export const coseAlgorithmIds: Readonly<Record<string, number>> = { ES256: -7, ES384: -35, ES512: -36, EdDSA: -8 };
