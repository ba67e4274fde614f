import { randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { createCredentialMetadataVersionRepository } from '../../store/credential-metadata-versions';
import { connectTestDatabase } from '../support/test-database';

/** Credential metadata versions as served (profile §27) and what counts as a change of display data (profile §29). */
let mongo: MongoClient;
let db: Db;
beforeAll(async () => {
  ({ client: mongo, db } = await connectTestDatabase('credential_metadata_versions'));
});
afterAll(async () => {
  await mongo?.close();
});

const metadata = (credentialConfigurationId: string, credentialMetadataVersion: string, name: string) => ({
  credentialConfigurationId,
  credentialMetadataVersion,
  display: [{ name, locale: 'en' }],
  claims: [],
});

describe('credential metadata versions', () => {
  it('reports a version that replaces an earlier one of its configuration, once; a first version or a repeat is no change', async () => {
    const versions = createCredentialMetadataVersionRepository(db);
    const configuration = `org.example.${randomUUID()}`;
    expect(await versions.record([metadata(configuration, 'v1', 'Card')])).toEqual([]);
    expect(await versions.record([metadata(configuration, 'v1', 'Card')])).toEqual([]);
    expect(await versions.record([metadata(configuration, 'v2', 'Membership card')])).toEqual([metadata(configuration, 'v2', 'Membership card')]);
    expect(await versions.record([metadata(configuration, 'v2', 'Membership card')])).toEqual([]);
    // Both stay answerable (a wallet still displaying v1 may ask for it).
    expect(await versions.find(configuration, 'v1')).toMatchObject({ display: [{ name: 'Card', locale: 'en' }] });
    expect(await versions.find(configuration, 'v2')).toMatchObject({ display: [{ name: 'Membership card', locale: 'en' }] });
  });
});
