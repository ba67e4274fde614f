import type { Db } from 'mongodb';
import { openRecord, sealRecord, type DataKeyring, type EncryptedEnvelope } from '../crypto/data-encryption';
import { claimsForHolder, type HolderDataset, type HolderRecord, type IssuerDataSource } from '../domain/issuer-data-source';
import { collections } from './mongo';

/**
 * The default IssuerDataSource (profile §Credential configurations, Holder data): the issuer's
 * holder records in `issuer_holders`, one document per holder account (_id = holderAccountId).
 * The claims are personal data, so they are stored like verification evidence (profile §Data
 * at rest): sealed with the data keyring under the record's identity, so that a database reader
 * or a backup sees which accounts and configurations exist and whether a data set is pending,
 * but no claim. The readiness stays in clear: deferred issuance looks it up without opening.
 */
interface HolderDocument {
  _id: string;
  /** Per configuration, in an array: configuration ids contain dots, which field names should not. */
  datasets: { configurationId: string; pending?: { notReadyUntil?: Date } }[];
  /** JSON `{ [configurationId]: claims }`, sealed (crypto/data-encryption.ts). */
  sealedClaims: EncryptedEnvelope;
  updatedAt: Date;
}

const recordIdentity = (holderAccountId: string) => `${collections.issuerHolders}/${holderAccountId}`;

export function createIssuerHolderRepository(db: Db, keyring: DataKeyring) {
  const holders = db.collection<HolderDocument>(collections.issuerHolders);
  return {
    /**
     * Writes a holder's record whole (the issuer's records are the source: a write replaces
     * what was there). Repeating it leaves the same record, so seeding is idempotent.
     */
    async putHolder(record: HolderRecord): Promise<void> {
      const claims = Object.fromEntries(record.datasets.map((dataset) => [dataset.configurationId, dataset.claims]));
      const document: HolderDocument = {
        _id: record.holderAccountId,
        datasets: record.datasets.map((dataset) => ({ configurationId: dataset.configurationId, ...(dataset.pending ? { pending: dataset.pending } : {}) })),
        sealedClaims: sealRecord(keyring, Buffer.from(JSON.stringify(claims), 'utf8'), recordIdentity(record.holderAccountId)),
        updatedAt: new Date(),
      };
      await holders.replaceOne({ _id: record.holderAccountId }, document, { upsert: true });
    },

    async findHolder(holderAccountId: string): Promise<HolderRecord | null> {
      const document = await holders.findOne({ _id: holderAccountId });
      if (!document) return null;
      const claims = JSON.parse(openRecord(keyring, document.sealedClaims, recordIdentity(document._id)).toString('utf8')) as Record<
        string,
        Record<string, unknown>
      >;
      const datasets: HolderDataset[] = document.datasets.map((dataset) => ({
        configurationId: dataset.configurationId,
        claims: claims[dataset.configurationId] ?? {},
        ...(dataset.pending ? { pending: dataset.pending } : {}),
      }));
      return { holderAccountId: document._id, datasets };
    },
  };
}
export type IssuerHolderRepository = ReturnType<typeof createIssuerHolderRepository>;

/** The default IssuerDataSource: holder records from `issuer_holders`, claims shaped by the domain rules. */
export function createMongoIssuerDataSource(db: Db, keyring: DataKeyring): IssuerDataSource {
  const repository = createIssuerHolderRepository(db, keyring);
  return { findHolder: (holderAccountId) => repository.findHolder(holderAccountId), claimsFor: claimsForHolder };
}
