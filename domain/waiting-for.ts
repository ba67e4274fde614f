import type { VerificationDecision } from './schemas/verification';
import { VerificationState } from './verification-state';
import { issuerAuthenticationType } from './verification-types/issuer-authentication';

/**
 * What a workflow waits for (the S2sWaitingFor search attribute), so an operator can tell a
 * verification waiting for a reviewer from one waiting for the wallet's data. Pure: workflow code
 * imports it.
 */
export const WaitingFor = {
  /** The Wallet Server's supplement (ADDITIONAL_INFO_REQUIRED, REJECTED with attempts left). */
  walletData: 'WALLET_DATA',
  /** The holder's sign-in at the issuer's surface (an issuer-authentication item was requested). */
  issuerSignIn: 'ISSUER_SIGN_IN',
  /** A reviewer's decision on an open review case. */
  reviewer: 'REVIEWER',
  /** An asynchronous verification provider's verdict. */
  provider: 'PROVIDER',
  /** A Wallet Server that has not acknowledged a call about a credential instance. */
  walletServer: 'WALLET_SERVER',
} as const;
export type WaitingFor = (typeof WaitingFor)[keyof typeof WaitingFor];

/** Who a PENDING verification was left to (activities: describePendingWait). */
export interface PendingWait {
  reviewCaseId?: string;
  providers: string[];
}

/** What a verification with `decision` waits for; `pending` says who, for a PENDING one. */
export function verificationWaitingFor(decision: VerificationDecision, pending?: PendingWait): WaitingFor[] {
  switch (decision.status) {
    case VerificationState.additionalInfoRequired: {
      const items = decision.verificationDataRequest?.verificationDataItems ?? [];
      return items.some((item) => item.type === issuerAuthenticationType) ? [WaitingFor.issuerSignIn] : [WaitingFor.walletData];
    }
    case VerificationState.rejected:
      return [WaitingFor.walletData];
    case VerificationState.pending:
      return [...(pending?.reviewCaseId ? [WaitingFor.reviewer] : []), ...((pending?.providers.length ?? 0) > 0 ? [WaitingFor.provider] : [])];
    default:
      return [];
  }
}
