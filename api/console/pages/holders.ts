import { randomUUID } from 'node:crypto';
import { problems } from '../../../domain/problems';
import { IssuerLifecycleRequest } from '../../../domain/schemas/credential-lifecycle';
import type { CredentialInstance } from '../../../store/credential-instances';
import { schemaCheck } from '../../middleware/validate-body';
import { manageOne } from '../../admin/back-office/manage-credentials';
import { counted, csrfField, dataTable, html, page, type Viewer } from '../html';
import type { ConsoleDeps } from '../deps';
import { readForm, type ConsoleContext } from '../session';
import { auditConsoleWrite } from '../audit';

/** A holder has a handful of instances (one per configuration and device); the page shows up to this many. */
const maxInstances = 200;
const checkLifecycleRequest = schemaCheck(IssuerLifecycleRequest);
const holderPattern = /^[A-Za-z0-9._:@-]{1,200}$/;

function searchForm(viewer: Viewer, holderAccountId = ''): ReturnType<typeof html> {
  // POST, not GET: the holder's account id is the issuer's identifier of a person and stays out of URLs and logs.
  return html`<form method="post" action="/console/holders" class="filters" aria-label="Find a holder">
    ${csrfField(viewer)}
    <div>
      <label for="holder">Holder account id</label>
      <input id="holder" name="holderAccountId" required maxlength="200" value="${holderAccountId}" autocomplete="off" />
    </div>
    <button type="submit">Show credentials</button>
  </form>`;
}

function instanceRow(viewer: Viewer, holderAccountId: string, instance: CredentialInstance) {
  const lifecycle = instance.lifecycle;
  const action = `/console/credential-instances/${encodeURIComponent(instance.tenantId)}/${encodeURIComponent(instance.credentialInstanceId)}/lifecycle`;
  const button = (value: string, label: string, extra = html``) =>
    html`<form method="post" action="${action}" class="inline">
      ${csrfField(viewer)}<input type="hidden" name="holderAccountId" value="${holderAccountId}" />
      <input type="hidden" name="action" value="${value}" />${extra}
      <button type="submit" aria-label="${label} ${instance.credentialConfigurationId} on ${instance.tenantId}">${label}</button>
    </form>`;
  const status = lifecycle?.status ?? 'IN_PROCESS';
  const ended = status === 'CANCELLED' || status === 'UNLINKED';
  return html`<tr>
    <td>${instance.credentialConfigurationId}</td>
    <td><code>${instance.tenantId}</code></td>
    <td><code>${instance.credentialInstanceId}</code></td>
    <td><strong>${status}</strong>${lifecycle ? html`<br /><small>${lifecycle.reason}, ${lifecycle.changedAt.toISOString()}</small>` : ''}</td>
    <td>${lifecycle?.credentialVersion || '—'}</td>
    <td>
      ${
        ended
          ? 'Ended'
          : html`${status === 'SUSPENDED_ISSUER' ? button('RESUME', 'Resume') : button('SUSPEND', 'Suspend')}
            ${button('CANCEL', 'Revoke', html`<label><input type="checkbox" name="confirm" value="yes" required /> final</label>`)}`
      }
    </td>
  </tr>`;
}

async function holderPage(deps: Pick<ConsoleDeps, 'credentialInstances'>, viewer: Viewer, holderAccountId: string, notice?: string): Promise<string> {
  const instances = await deps.credentialInstances.findByHolder(holderAccountId, maxInstances);
  return page({
    title: 'Holders’ credentials',
    viewer,
    ...(notice ? { notice } : {}),
    body: html`${searchForm(viewer, holderAccountId)}
    ${dataTable(
      instances.length === 0 ? 'No credential instance for this holder.' : counted(instances.length, 'credential instance'),
      ['Credential', 'Wallet Server', 'Instance', 'Status', 'Version', 'Change'],
      instances.map((instance) => instanceRow(viewer, holderAccountId, instance)),
    )}`,
  });
}

function holderOf(form: URLSearchParams): string {
  const holder = form.get('holderAccountId')?.trim() ?? '';
  if (!holderPattern.test(holder)) throw problems.invalidRequest('A holder account id is letters, digits and . _ : @ -, up to 200');
  return holder;
}

/** GET /console/holders: the search form. */
export function holdersSearch() {
  return async (ctx: ConsoleContext): Promise<void> => {
    ctx.type = 'html';
    ctx.body = page({ title: 'Holders’ credentials', viewer: ctx.state.viewer, body: searchForm(ctx.state.viewer) });
  };
}

/** POST /console/holders: a holder's credential instances, on every Wallet Server, with their status. */
export function holderCredentials(deps: Pick<ConsoleDeps, 'credentialInstances'>) {
  return async (ctx: ConsoleContext): Promise<void> => {
    const holder = holderOf(await readForm(ctx));
    ctx.type = 'html';
    ctx.body = await holderPage(deps, ctx.state.viewer, holder);
  };
}

/**
 * POST /console/credential-instances/{tenantId}/{credentialInstanceId}/lifecycle: suspend, resume
 * or revoke one instance, as the admin API does (the instance's workflow applies it, then tells
 * the Wallet Server); revocation needs the "final" box ticked.
 */
export function manageFromConsole(deps: Pick<ConsoleDeps, 'credentialInstances' | 'lifecycle' | 'adminAudit' | 'logger'>) {
  return async (ctx: ConsoleContext): Promise<void> => {
    const form = await readForm(ctx);
    const holder = holderOf(form);
    const request = checkLifecycleRequest({ action: form.get('action') ?? '' });
    if (request.action === 'CANCEL' && form.get('confirm') !== 'yes') throw problems.invalidRequest('Revocation is final: tick the box to confirm it');
    const instance = await deps.credentialInstances.findById(ctx.params.tenantId ?? '', ctx.params.credentialInstanceId ?? '');
    if (!instance || instance.holderAccountId !== holder) throw problems.credentialInstanceNotFound();
    const answer = await auditConsoleWrite(
      deps,
      ctx,
      'credential lifecycle',
      { tenantId: instance.tenantId, credentialInstanceId: instance.credentialInstanceId, action: request.action },
      () => manageOne(deps, instance, request, randomUUID()),
    );
    const notice =
      answer.outcome === 'COMPLETED'
        ? `${instance.credentialConfigurationId}: ${answer.previousStatus} → ${answer.currentStatus}. The Wallet Server is told.`
        : `${instance.credentialConfigurationId}: ${answer.outcome}${'failureReason' in answer && answer.failureReason ? ` (${answer.failureReason})` : ''}; it stays ${answer.currentStatus}.`;
    ctx.type = 'html';
    ctx.body = await holderPage(deps, ctx.state.viewer, holder, notice);
  };
}
