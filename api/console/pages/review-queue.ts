import type { ReviewCase } from '../../../store/review-cases';
import { age, counted, csrfField, dataTable, html, page } from '../html';
import type { ConsoleDeps } from '../deps';
import type { ConsoleContext } from '../session';

/** Most cases one queue page lists. */
const pageSize = 200;

function queueFilters(ctx: ConsoleContext) {
  const text = (name: string) => (typeof ctx.query[name] === 'string' && ctx.query[name] !== '' ? (ctx.query[name] as string).slice(0, 200) : undefined);
  const hours = Number(text('olderThanHours'));
  return { tenantId: text('tenant'), configuration: text('configuration'), olderThanHours: Number.isFinite(hours) && hours > 0 ? hours : undefined };
}

/**
 * GET /console/queue: the open cases this reviewer may claim, oldest first, filtered by Wallet
 * Server, credential configuration and age. Filters are identifiers and a number (no personal
 * data in the URL); the list shows no evidence.
 */
export function reviewQueue(deps: Pick<ConsoleDeps, 'reviewCases' | 'catalogue'>) {
  return async (ctx: ConsoleContext): Promise<void> => {
    const filters = queueFilters(ctx);
    const viewer = ctx.state.viewer;
    const now = new Date();
    const cases = (
      await deps.reviewCases.list({
        state: 'open',
        claimableBy: viewer.adminId,
        limit: pageSize,
        ...(filters.tenantId ? { tenantId: filters.tenantId } : {}),
        ...(filters.configuration ? { credentialConfigurationId: filters.configuration } : {}),
        ...(filters.olderThanHours ? { createdBefore: new Date(now.getTime() - filters.olderThanHours * 3600_000) } : {}),
      })
    ).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const configurations = [...deps.catalogue.keys()].sort();
    const row = (c: ReviewCase) => {
      const mine = c.claimedBy === viewer.adminId && (c.claimExpiresAt?.getTime() ?? 0) > now.getTime();
      return html`<tr>
        <td>${age(c.createdAt, now)}</td>
        <td><code>${c.tenantId}</code></td>
        <td>${c.credentialConfigurationIds.join(', ')}</td>
        <td>${c.reasons.join('; ')}</td>
        <td>
          ${
            mine
              ? html`<a href="/console/cases/${encodeURIComponent(c._id)}">Open (claimed by you)</a>`
              : html`<form method="post" action="/console/cases/${encodeURIComponent(c._id)}/claim">
                  ${csrfField(viewer)}
                  <button type="submit" aria-label="Claim the case waiting ${age(c.createdAt, now)}">Claim</button>
                </form>`
          }
        </td>
      </tr>`;
    };
    ctx.type = 'html';
    ctx.body = page({
      title: 'Review queue',
      viewer,
      body: html`<form method="get" action="/console/queue" class="filters" aria-label="Filter the queue">
          <div><label for="tenant">Wallet Server (tenant id)</label> <input id="tenant" name="tenant" value="${filters.tenantId ?? ''}" maxlength="200" /></div>
          <div>
            <label for="configuration">Credential configuration</label>
            <select id="configuration" name="configuration">
              <option value="">Any</option>
              ${configurations.map((id) => html`<option value="${id}" ${id === filters.configuration ? html`selected` : ''}>${id}</option>`)}
            </select>
          </div>
          <div>
            <label for="olderThanHours">Waiting at least (hours)</label>
            <input id="olderThanHours" name="olderThanHours" type="number" min="0" step="1" value="${filters.olderThanHours ?? ''}" />
          </div>
          <button type="submit">Filter</button>
        </form>
        ${dataTable(
          cases.length === 0 ? 'No case waits for a reviewer.' : `${counted(cases.length, 'open case')}, oldest first`,
          ['Waiting', 'Wallet Server', 'Credentials', 'Why', 'Action'],
          cases.map(row),
        )}`,
    });
  };
}
