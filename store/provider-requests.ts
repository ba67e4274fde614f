import type { Db } from 'mongodb';
import { collections, isDuplicateKeyError } from './mongo';

/**
 * Which asynchronous verification providers a verification waits for (profile §12 Verdicts):
 * written when an evaluator leaves an item to a provider, read when a provider reports, so a
 * provider's credential decides only verifications that asked that provider.
 */
export interface ProviderRequestRef {
  tenantId: string;
  sessionId: string;
  verificationId: string;
}

const requestId = (ref: ProviderRequestRef, provider: string) => `${ref.tenantId}/${ref.verificationId}/${provider}`;

export function createProviderRequestRepository(db: Db, now: () => Date = () => new Date()) {
  const requests = db.collection<ProviderRequestRef & { _id: string; provider: string; at: Date; answeredAt?: Date }>(collections.providerRequests);
  return {
    /** Safe to repeat (an activity retry): one record per verification and provider, on _id. */
    async record(ref: ProviderRequestRef, providers: readonly string[]): Promise<void> {
      for (const provider of new Set(providers)) {
        try {
          await requests.insertOne({
            _id: requestId(ref, provider),
            tenantId: ref.tenantId,
            sessionId: ref.sessionId,
            verificationId: ref.verificationId,
            provider,
            at: now(),
          });
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          // Asked again in a later round: it is awaited again.
          await requests.updateOne({ _id: requestId(ref, provider), answeredAt: { $exists: true } }, { $unset: { answeredAt: '' } });
        }
      }
    },

    /** The provider's verdict was taken: the verification no longer waits for it (S2sWaitingFor). */
    async markAnswered(ref: ProviderRequestRef, provider: string): Promise<void> {
      await requests.updateOne({ _id: requestId(ref, provider) }, { $set: { answeredAt: now() } });
    },

    /** The providers the verification was left to and that have not answered (a range of _id: `<tenant>/<verification>/…`). */
    async askedFor(ref: ProviderRequestRef): Promise<string[]> {
      const prefix = requestId(ref, '');
      // '0' follows '/': every `<tenant>/<verification>/<provider>` sorts below `<tenant>/<verification>0`.
      const found = await requests
        .find({ _id: { $gte: prefix, $lt: `${prefix.slice(0, -1)}0` } }, { projection: { provider: 1, sessionId: 1, answeredAt: 1 } })
        .toArray();
      return found.filter((request) => request.sessionId === ref.sessionId && !request.answeredAt).map((request) => request.provider);
    },

    async wasAsked(ref: ProviderRequestRef, provider: string): Promise<boolean> {
      const found = await requests.findOne({ _id: requestId(ref, provider) });
      return found !== null && found.sessionId === ref.sessionId;
    },
  };
}
export type ProviderRequestRepository = ReturnType<typeof createProviderRequestRepository>;
