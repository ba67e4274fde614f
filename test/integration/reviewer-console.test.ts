import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readAdminCredentialsFile, writeAdminCredentialsFile } from '../../cli/admin-credential';
import { seedFakeHolders } from '../../dev/fake-holders';
import { loadIssuerKeyMaterial } from '../../crypto/key-material';
import { identityEvidenceType } from '../../domain/verification-types/identity-evidence';
import { createInitiateRequest, generateWalletSigningKey } from '../../wallet/wallet-client-instance';
import { launchBrowser, screenshot, solidPngDataUri } from '../support/browser';
import { credentialFlow } from '../support/credential-flow';
import { startIssuerHarness, type IssuerHarness } from '../support/issuer-harness';
import { pollUntil } from '../support/polling';
import { clientPayload, mdl } from '../support/wallet-requests';

/**
 * The reviewer console (api/console/) in headless Chromium against the real stack: a reviewer
 * signs in, claims the oldest case, sees the evidence and approves, and the Wallet Server's next
 * status call reads APPROVED; the back office suspends and revokes a holder's credential. Also
 * what a browser must never get away with: a form without the session's CSRF token, a page
 * framed or scripted, a session after sign-out. `RECORD_SCREENSHOTS=1` (npm run
 * console-screenshots) writes each page to docs/console/.
 */
const idleMs = 120_000;
let h: IssuerHarness;
let browser: Browser;
beforeAll(async () => {
  h = await startIssuerHarness({ env: { S2S_CONSOLE_IDLE_MS: String(idleMs) } });
  await seedFakeHolders(h.db, loadIssuerKeyMaterial(h.config).dataKeyring);
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const documentImage = solidPngDataUri(120, 76, [36, 90, 160]);
const proofOfAddressPdf = `data:application/pdf;base64,${Buffer.from('%PDF-1.4\n% a test document\n%%EOF\n').toString('base64')}`;

/** A holder's identity evidence (a document image among it): PENDING, a review case opens. */
async function caseAwaitingReview() {
  const key = await generateWalletSigningKey();
  const issuerKey = h.issuerEncryptionKeys[0] as NonNullable<IssuerHarness['issuerEncryptionKeys'][number]>;
  const sessionId = randomUUID();
  const item = {
    id: 'idv-1',
    type: identityEvidenceType,
    documentType: 'ID_CARD',
    documentImageRefs: ['front-1'],
    selfieRef: 'selfie-1',
    documentImage,
    proofOfAddress: proofOfAddressPdf,
  };
  const body = await createInitiateRequest({
    key,
    sessionId,
    credentialConfigurationIds: [mdl],
    verificationData: { clientEncryptedPayload: [await clientPayload(key, issuerKey, item, { sessionId })] },
  });
  const started = await h.http.post('/verification/initiate', body, { identity: h.walletA });
  expect(started.json.status).toBe('PENDING');
  return { sessionId, verificationId: started.json.verificationId as string };
}

async function signIn(context: BrowserContext, token: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${h.adminUrl}/console`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  await screenshot(page, '1-sign-in');
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

/** A form post from outside a browser page, with the headers a browser would add. */
function postForm(route: string, body: string, headers: Record<string, string>): Promise<{ status: number; setCookie?: string[] }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${h.adminUrl}${route}`,
      { method: 'POST', ca: h.caPem, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...headers } },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, ...(response.headers['set-cookie'] ? { setCookie: response.headers['set-cookie'] } : {}) }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Every visible form control has an accessible name (a label or aria-label). */
async function expectLabelledControls(page: Page): Promise<void> {
  const unlabelled = await page.$$eval('input:not([type=hidden]), select, textarea, button', (controls) =>
    controls
      .filter((control) => {
        const element = control as typeof control & { labels?: { length: number } | null };
        const labelled =
          (element.labels?.length ?? 0) > 0 || element.getAttribute('aria-label') || (element.tagName === 'BUTTON' && element.textContent?.trim());
        return !labelled;
      })
      .map((control) => control.outerHTML),
  );
  expect(unlabelled).toEqual([]);
}

describe('reviewer console in a browser', () => {
  it('lets a reviewer sign in, claim the oldest case, view its evidence and approve it; the wallet then reads APPROVED', async () => {
    const older = await caseAwaitingReview();
    await caseAwaitingReview();
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
    try {
      const page = await signIn(context, h.adminTokens.alice);
      expect(new URL(page.url()).pathname).toBe('/console/queue');
      const response = await page.reload();
      const headers = response?.headers() ?? {};
      expect(headers['content-security-policy']).toContain("default-src 'none'");
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['cache-control']).toBe('no-store');
      const cookie = (await context.cookies()).find((c) => c.name === '__Host-s2s-console');
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });

      // One Wallet Server, oldest first: the first row is the older case.
      await page.getByLabel('Wallet Server (tenant id)').fill(h.walletA.tenant._id);
      await page.getByRole('button', { name: 'Filter' }).click();
      expect(new URL(page.url()).searchParams.get('tenant')).toBe(h.walletA.tenant._id);
      await expectLabelledControls(page);
      await screenshot(page, '2-review-queue');
      const rows = page.locator('tbody tr');
      expect(await rows.count()).toBeGreaterThanOrEqual(2);
      await rows
        .first()
        .getByRole('button', { name: /^Claim/ })
        .click();

      // The case page: evidence (decrypted here, audited) with its image, and the decisions.
      await page.getByRole('heading', { name: 'Evidence', exact: true }).waitFor();
      const caseId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) as string);
      await page.locator('img.evidence-image').first().waitFor();
      expect(await page.locator('img.evidence-image').count()).toBe(1);
      expect(await page.locator('img.evidence-image').getAttribute('src')).toBe(documentImage);
      expect(await page.getByText('ID_CARD', { exact: true }).count()).toBe(1);
      // A PDF is a download the reviewer opens, never rendered in the console.
      const pdf = page.getByRole('link', { name: /^Download proofOfAddress \(PDF/ });
      expect(await pdf.getAttribute('download')).toBe('proofOfAddress.pdf');
      const [download] = await Promise.all([page.waitForEvent('download'), pdf.click()]);
      expect(download.suggestedFilename()).toBe('proofOfAddress.pdf');
      expect(await page.content()).toContain(older.verificationId);
      await expectLabelledControls(page);
      await screenshot(page, '3-review-case');
      // No personal data in the URL: the case id (verification and evidence references) only.
      expect(page.url()).not.toContain('ID_CARD');

      await page.getByRole('button', { name: 'Approve', exact: true }).click();
      await page.getByRole('status').waitFor();
      expect(await page.getByRole('status').textContent()).toContain('APPROVED');
      await screenshot(page, '4-decision-recorded');

      const status = await pollUntil(
        () => h.http.post('/verification/status', older, { identity: h.walletA }),
        (answer) => answer.json.status !== 'PENDING',
        { what: 'the approval' },
      );
      expect(status.json).toMatchObject({ status: 'APPROVED', credentialConfigurationIds: [mdl] });
      // Claim, evidence view and decision are in the case's audit trail, as through the admin API.
      const audit = await h.admin('GET', `/admin/review-cases/${encodeURIComponent(caseId)}/audit`, 'alice');
      expect(audit.json.entries.map((e: { action: string; reviewerId: string }) => `${e.reviewerId}:${e.action}`)).toEqual([
        'alice:claim',
        'alice:view_evidence',
        'alice:decide',
      ]);
    } finally {
      await context.close();
    }
  });

  it('refuses a form without the session’s CSRF token, and ends the session at sign-out and when its credential is revoked', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await signIn(context, h.adminTokens.bob);
      const { verificationId } = await caseAwaitingReview();
      const listed = await h.admin('GET', `/admin/review-cases?tenantId=${h.walletA.tenant._id}`, 'bob');
      const caseId = (listed.json.cases as { caseId: string; verificationId: string }[]).find((c) => c.verificationId === verificationId)?.caseId as string;
      // A cross-site form post carries the cookie only if SameSite allowed it; here even the
      // browser's own request without the token is refused.
      const forged = await page.request.post(`${h.adminUrl}/console/cases/${encodeURIComponent(caseId)}/claim`, {
        form: { csrf: 'not-the-token' },
        maxRedirects: 0,
      });
      expect(forged.status()).toBe(403);
      expect(await forged.text()).toContain('Form expired');
      expect(
        (await h.admin('GET', `/admin/review-cases?tenantId=${h.walletA.tenant._id}`, 'alice')).json.cases.find((c: { caseId: string }) => c.caseId === caseId),
      ).toBeDefined();

      // Another site's form cannot sign a browser in, nor post to a page (Origin, Sec-Fetch-Site).
      const crossSite = await postForm('/console/login', `token=${h.adminTokens.bob}`, { origin: 'https://evil.example' });
      expect(crossSite.status).toBe(403);
      expect(crossSite.setCookie).toBeUndefined();
      expect((await postForm('/console/login', `token=${h.adminTokens.bob}`, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);

      await page.getByRole('button', { name: 'Sign out' }).click();
      expect(new URL(page.url()).pathname).toBe('/console/login');
      await page.goto(`${h.adminUrl}/console/queue`);
      expect(new URL(page.url()).pathname).toBe('/console/login');

      // A session lives only as long as its admin credential: revoking bob ends his new session at once.
      const again = await signIn(context, h.adminTokens.bob);
      expect(new URL(again.url()).pathname).toBe('/console/queue');
      const credentials = readAdminCredentialsFile(h.adminCredentialsFile);
      writeAdminCredentialsFile(h.adminCredentialsFile, { credentials: credentials.credentials.filter((entry) => entry.id !== 'bob') });
      await pollUntil(
        async () => {
          await again.goto(`${h.adminUrl}/console/queue`);
          return new URL(again.url()).pathname;
        },
        (path) => path === '/console/login',
        { what: 'the revoked credential’s session to end' },
      );
    } finally {
      await context.close();
    }
  });

  it('shows the back office a holder’s credentials with their status, and suspends and revokes one', async () => {
    const { approvedWallet, instanceOf, buildGet } = credentialFlow(() => h);
    const wallet = await approvedWallet(['eu.europa.ec.eudi.pid.1']);
    const credentialInstanceId = await instanceOf(wallet, 'eu.europa.ec.eudi.pid.1');
    const get = await buildGet(wallet, credentialInstanceId, { presentmentKeyCount: 1 });
    expect((await h.http.post('/credential/get', get.body, { identity: h.walletA })).status).toBe(200);
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
    try {
      const page = await signIn(context, h.adminTokens.backOffice);
      expect(new URL(page.url()).pathname).toBe('/console/holders');
      // A reviewer page is not for this role.
      const queue = await page.request.get(`${h.adminUrl}/console/queue`);
      expect(queue.status()).toBe(403);

      await page.getByLabel('Holder account id').fill('test-holder-erika');
      await page.getByRole('button', { name: 'Show credentials' }).click();
      // The holder's id was posted, not put in the URL.
      expect(new URL(page.url()).search).toBe('');
      const row = page.locator('tr', { hasText: credentialInstanceId });
      await row.getByText('ACTIVE', { exact: true }).waitFor();
      await expectLabelledControls(page);
      await screenshot(page, '5-holder-credentials');

      await row.getByRole('button', { name: /^Suspend/ }).click();
      await page.getByRole('status').waitFor();
      expect(await page.getByRole('status').textContent()).toContain('ACTIVE → SUSPENDED_ISSUER');
      // Only the issuer lifts its own suspension: the row now offers Resume.
      expect(
        await page
          .locator('tr', { hasText: credentialInstanceId })
          .getByRole('button', { name: /^Resume/ })
          .count(),
      ).toBe(1);
      await screenshot(page, '6-holder-suspended');

      await page.locator('tr', { hasText: credentialInstanceId }).getByRole('checkbox', { name: 'final' }).check();
      await page
        .locator('tr', { hasText: credentialInstanceId })
        .getByRole('button', { name: /^Revoke/ })
        .click();
      await page.getByRole('status').waitFor();
      expect(await page.getByRole('status').textContent()).toContain('SUSPENDED_ISSUER → CANCELLED');
      await screenshot(page, '7-holder-revoked');
      const record = await h.http.post('/credential/status', { sessionId: wallet.ids.sessionId, credentialInstanceId }, { identity: h.walletA });
      expect(record.json).toMatchObject({ currentStatus: 'CANCELLED' });
      // The holder's account id was in forms only: no log line has it.
      expect(h.apiLogs.filter((line) => line.includes('test-holder-erika'))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
