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
    /**
     * Records the versions served now. Returns those that replace an earlier version of their
     * configuration (its display data changed since a version was first served): their
     * instances are to be told DISPLAY_DATA_UPDATED (profile §29). A configuration's first
     * version, or one recorded before, is not a change.
     */
    async record(metadata: readonly CredentialMetadata[]): Promise<CredentialMetadata[]> {
      const firstServedAt = new Date();
      const changed: CredentialMetadata[] = [];
      for (const entry of metadata) {
        const _id = idOf(entry.credentialConfigurationId, entry.credentialMetadataVersion);
        const result = await versions.updateOne({ _id }, { $setOnInsert: { ...entry, firstServedAt } }, { upsert: true });
        if (result.upsertedCount > 0 && (await versions.countDocuments({ credentialConfigurationId: entry.credentialConfigurationId, _id: { $ne: _id } })) > 0)
          changed.push(entry);
      }
      return changed;
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
