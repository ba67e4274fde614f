import { X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { StatusList } from '@sd-jwt/jwt-status-list';
import { verifyStatusListCwt } from '../../crypto/status-list-token';
import { StatusValue, statusAt } from '../../domain/status-lists/status-list';
import { verifyX5cChain } from '../support/credential-signing';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';

/**
 * Profile §Status lists: a Relying Party fetches a list over HTTPS with no client certificate,
 * in the form it asks for, verifies the issuer's signature and reads an entry; a lifecycle change
 * shows in the next fetch.
 */
let harness: IssuerHarness;
/** The development credential signing CA: the trust anchor of credentials and of their status lists. */
let trustAnchor: X509Certificate;
/** The credentials' active signing key (from its certificate), for the CWT form. */
let signingKey: KeyObject;
beforeAll(async () => {
  harness = await startIssuerHarness();
  const { active, keys } = JSON.parse(readFileSync(harness.config.keys.signingKeysFile, 'utf8')) as {
    active: string;
    keys: { id: string; certificateChain: string[] }[];
  };
  const chain = keys.find((key) => key.id === active)?.certificateChain ?? [];
  trustAnchor = new X509Certificate(Buffer.from(chain[chain.length - 1] ?? '', 'base64'));
  signingKey = new X509Certificate(Buffer.from(chain[0] ?? '', 'base64')).publicKey;
});
afterAll(async () => {
  await harness?.close();
});

interface Fetched {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A plain HTTPS GET that trusts the development CA and presents no client certificate. */
function fetchWithoutClientCertificate(path: string, headers: Record<string, string> = {}): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const request = https.get(`${harness.statusListUrl}${path}`, { ca: harness.caPem, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
  });
}

async function readJwtList(fetched: Fetched): Promise<{ sub: string | undefined; list: StatusList }> {
  const token = fetched.body.toString('utf8');
  // Verified through the x5c chain to the credential signing CA, as a Relying Party would.
  const { payload } = await jwtVerify(token, verifyX5cChain(decodeProtectedHeader(token).x5c, trustAnchor), { typ: 'statuslist+jwt' });
  const statusList = payload.status_list as { bits: 2; lst: string };
  return { sub: payload.sub, list: StatusList.decompressStatusList(statusList.lst, statusList.bits) };
}

describe('status list publication', () => {
  it('serves a signed JWT list without a client certificate, with ttl caching and an ETag, and shows a suspension in the next fetch', async () => {
    const { listId, index } = await harness.statusLists.store.allocate('credential-publication-1');
    const first = await fetchWithoutClientCertificate(`/status-lists/${listId}`);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('application/statuslist+jwt');
    expect(first.headers['cache-control']).toBe('public, max-age=300');
    expect(first.headers.etag).toMatch(/^"[\w-]+"$/);
    const before = await readJwtList(first);
    expect(before.sub).toBe(`https://status.issuer.test/status-lists/${listId}`);
    expect(before.list.statusList.length).toBe(131_072);
    expect(before.list.getStatus(index)).toBe(StatusValue.valid);

    // Unchanged: a conditional request is answered 304 without a body.
    const unchanged = await fetchWithoutClientCertificate(`/status-lists/${listId}`, { 'If-None-Match': String(first.headers.etag) });
    expect(unchanged.status).toBe(304);
    expect(unchanged.body.length).toBe(0);

    await harness.statusLists.store.setStatus(listId, index, StatusValue.suspended);
    const second = await fetchWithoutClientCertificate(`/status-lists/${listId}`, { 'If-None-Match': String(first.headers.etag) });
    expect(second.status).toBe(200);
    expect(second.headers.etag).not.toBe(first.headers.etag);
    const after = await readJwtList(second);
    expect(after.list.getStatus(index)).toBe(StatusValue.suspended);
    expect(after.list.statusList.filter((status) => status !== 0)).toHaveLength(1);
  });

  it('serves the same list as a signed CWT to a client that asks for application/statuslist+cwt', async () => {
    const { listId, index } = await harness.statusLists.store.allocate('credential-publication-2');
    await harness.statusLists.store.setStatus(listId, index, StatusValue.invalid);
    const fetched = await fetchWithoutClientCertificate(`/status-lists/${listId}`, { Accept: 'application/statuslist+cwt' });
    expect(fetched.status).toBe(200);
    expect(fetched.headers['content-type']).toBe('application/statuslist+cwt');
    expect(fetched.headers.vary).toBe('Accept');
    const decoded = verifyStatusListCwt(new Uint8Array(fetched.body), signingKey);
    expect(decoded.uri).toBe(`https://status.issuer.test/status-lists/${listId}`);
    expect(decoded.ttlSeconds).toBe(300);
    expect(decoded.expiresAt! - decoded.issuedAt).toBe(86_400);
    expect(statusAt(decoded.bytes, decoded.bits, index)).toBe(StatusValue.invalid);
  });

  it('answers an unknown list with a 404 Problem and an unavailable media type with 406', async () => {
    const missing = await fetchWithoutClientCertificate('/status-lists/999999');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(missing.body.toString('utf8'))).toMatchObject({ type: 'urn:s2s-issuer:problem:status-list-not-found', status: 404 });
    await harness.statusLists.store.allocate('credential-publication-3');
    const html = await fetchWithoutClientCertificate('/status-lists/1', { Accept: 'text/html' });
    expect(html.status).toBe(406);
    expect(JSON.parse(html.body.toString('utf8'))).toMatchObject({ type: 'urn:s2s-issuer:problem:not-acceptable' });
  });

  it('serves nothing but the status lists without a client certificate', async () => {
    for (const path of ['/openapi.json', '/.well-known/openid-credential-issuer-s2s', '/admin/review-cases']) {
      const fetched = await fetchWithoutClientCertificate(path);
      expect(fetched.status).toBe(404);
      expect(JSON.parse(fetched.body.toString('utf8'))).toMatchObject({ type: 'urn:s2s-issuer:problem:not-found' });
    }
  });
});
