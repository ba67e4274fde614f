/**
 * A MAC by the issuer's key over one workflow message (crypto/message-proof.ts makes and checks
 * it): proof that a message which changes a decision came from the issuer's own API.
 */
export interface MessageProof {
  kid: string;
  mac: string;
}
