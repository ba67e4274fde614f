import type { Db, MongoClient } from 'mongodb';
import { generateDataKeyringJson, parseDataKeyring } from '../../crypto/data-encryption';
import { fakeHolders, seedFakeHolders } from '../../dev/fake-holders';
import { developmentCatalogue } from '../../config/verification';
import { collections } from '../../store/mongo';
import { createIssuerHolderRepository, createMongoIssuerDataSource } from '../../store/issuer-holders';
import { connectTestDatabase } from '../support/test-database';

/** The default IssuerDataSource against the real MongoDB-wire server (FerretDB here). */
let mongo: MongoClient;
let db: Db;
const keyring = parseDataKeyring(generateDataKeyringJson('holders-1'), 'test');
beforeAll(async () => {
  ({ client: mongo, db } = await connectTestDatabase('holders'));
});
afterAll(async () => {
  await mongo?.close();
});

describe('issuer_holders (profile §Credential configurations, Holder data)', () => {
  it('seeds the fake holders idempotently: seeding again leaves the same records', async () => {
    await seedFakeHolders(db, keyring);
    await seedFakeHolders(db, keyring);
    expect(await db.collection(collections.issuerHolders).countDocuments()).toBe(fakeHolders.length);
    const repository = createIssuerHolderRepository(db, keyring);
    for (const holder of fakeHolders) expect(await repository.findHolder(holder.holderAccountId)).toEqual(holder);
  });

  it('serves claims through the IssuerDataSource, and null for an unknown account', async () => {
    const source = createMongoIssuerDataSource(db, keyring);
    const erika = await source.findHolder('test-holder-erika');
    const pid = developmentCatalogue.find((c) => c.id === 'eu.europa.ec.eudi.pid.1');
    if (!erika || !pid) throw new Error('seeded holder and shipped PID expected');
    expect(source.claimsFor(erika, pid)).toMatchObject({ outcome: 'ready', claims: { given_name: 'Erika' } });
    expect(await source.findHolder('no-such-holder')).toBeNull();
  });

  it('keeps claims sealed at rest: the stored document holds no claim value, and readiness in clear', async () => {
    await seedFakeHolders(db, keyring);
    const raw = await db.collection(collections.issuerHolders).findOne({ _id: 'test-holder-max' as never });
    const text = JSON.stringify(raw);
    for (const value of ['Mustermann', 'Max', '1982-07-14', 'Example PID Provider']) expect(text).not.toContain(value);
    expect(raw?.datasets).toEqual([
      { configurationId: 'eu.europa.ec.eudi.pid.1' },
      { configurationId: 'org.iso.18013.5.1.mDL', pending: { notReadyUntil: new Date('2027-01-15T00:00:00Z') } },
    ]);
  });

  it('refuses to open claims copied onto another account (the account id is authenticated data)', async () => {
    await seedFakeHolders(db, keyring);
    const holders = db.collection<{ _id: string; sealedClaims: unknown }>(collections.issuerHolders);
    const erika = await holders.findOne({ _id: 'test-holder-erika' });
    await holders.updateOne({ _id: 'test-holder-jan' }, { $set: { sealedClaims: erika?.sealedClaims } });
    await expect(createIssuerHolderRepository(db, keyring).findHolder('test-holder-jan')).rejects.toThrow();
  });
});
