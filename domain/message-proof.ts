/**
 * A MAC by the issuer's key over one workflow message (crypto/message-proof.ts makes and checks
 * it): proof that a message which changes a decision came from the issuer's own API.
 */
export interface MessageProof {
  kid: string;
  mac: string;
}

/** A proof in one string, `<kid>.<mac>` (the mac is base64url, without dots), for message arguments typed as strings. */
export function messageProofText(proof: MessageProof): string {
  return `${proof.kid}.${proof.mac}`;
}

/** The proof in `<kid>.<mac>`, or undefined when the text is not one. */
export function parseMessageProofText(text: string | undefined): MessageProof | undefined {
  if (typeof text !== 'string') return undefined;
  const dot = text.lastIndexOf('.');
  if (dot <= 0 || dot === text.length - 1) return undefined;
  return { kid: text.slice(0, dot), mac: text.slice(dot + 1) };
}
