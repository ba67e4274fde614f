import type { Db } from 'mongodb';
import type { CredentialMetadata } from '../domain/schemas/credential';
import { collections } from './mongo';

interface MetadataVersionDocument extends CredentialMetadata {
  /** `<credentialConfigurationId>/<credentialMetadataVersion>`. */
  _id: string;
  firstServedAt: Date;
}

/**
 * Every credential metadata version this issuer has served (profile §27, Metadata versioning), so
 * that S2S §Get Credential Metadata answers a wallet that asks for the version it displays, also
 * after the display data changed. Recorded when a process starts with a catalogue; the versions
 * are content hashes, so recording one twice changes nothing.
 */
export function createCredentialMetadataVersionRepository(db: Db) {
  const versions = db.collection<MetadataVersionDocument>(collections.credentialMetadataVersions);
  const idOf = (configurationId: string, version: string) => `${configurationId}/${version}`;
  return {
    async record(metadata: readonly CredentialMetadata[]): Promise<void> {
      const firstServedAt = new Date();
      for (const entry of metadata) {
        await versions.updateOne(
          { _id: idOf(entry.credentialConfigurationId, entry.credentialMetadataVersion) },
          { $setOnInsert: { ...entry, firstServedAt } },
          { upsert: true },
        );
      }
    },
    async find(configurationId: string, version: string): Promise<CredentialMetadata | null> {
      const document = await versions.findOne({ _id: idOf(configurationId, version) });
      if (!document) return null;
      const { credentialConfigurationId, credentialMetadataVersion, display, claims } = document;
      return { credentialConfigurationId, credentialMetadataVersion, display, claims };
    },
  };
}

export type CredentialMetadataVersionRepository = ReturnType<typeof createCredentialMetadataVersionRepository>;
