import { problems } from '../../../domain/problems';
import { ReviewDecisionRequest } from '../../../domain/verdicts';
import type { ReviewCase } from '../../../store/review-cases';
import { schemaCheck } from '../../middleware/validate-body';
import { claimCase, decideCase, openEvidence } from '../../admin/reviewers/review-case-actions';
import { evidenceView } from '../evidence-view';
import { age, csrfField, html, page, type Html, type Viewer } from '../html';
import type { ConsoleDeps } from '../deps';
import { readForm, seeOther, type ConsoleContext } from '../session';
import { auditConsoleWrite } from '../audit';

const caseUrl = (caseId: string) => `/console/cases/${encodeURIComponent(caseId)}`;
const checkDecision = schemaCheck(ReviewDecisionRequest);

function summary(c: ReviewCase, now: Date): Html {
  return html`<dl class="summary">
    <dt>Waiting</dt>
    <dd>${age(c.createdAt, now)} (since ${c.createdAt.toISOString()})</dd>
    <dt>Wallet Server</dt>
    <dd><code>${c.tenantId}</code></dd>
    <dt>Credentials</dt>
    <dd>${c.credentialConfigurationIds.join(', ')}</dd>
    <dt>Why a person decides</dt>
    <dd>${c.reasons.join('; ')}</dd>
    <dt>Verification</dt>
    <dd><code>${c.verificationId}</code></dd>
  </dl>`;
}

/** The four decisions (profile §Manual review): each its own form, with the fields it needs. */
function decisionForms(c: ReviewCase, viewer: Viewer): Html {
  const action = `${caseUrl(c._id)}/decision`;
  return html`<section aria-labelledby="decide">
    <h2 id="decide">Decide</h2>
    <div class="decisions">
      <form method="post" action="${action}" class="stack">
        ${csrfField(viewer)}<input type="hidden" name="outcome" value="APPROVED" />
        <h3>Approve</h3>
        <p>The evidence proves who the holder is.</p>
        <button type="submit">Approve</button>
      </form>
      <form method="post" action="${action}" class="stack">
        ${csrfField(viewer)}<input type="hidden" name="outcome" value="DENIED" />
        <h3>Deny</h3>
        <label for="deny-reason">Reason code</label>
        <input id="deny-reason" name="reasonCode" required pattern="[A-Z0-9_]{1,64}" placeholder="DOCUMENT_FORGED" aria-describedby="code-help" />
        <label for="deny-message">Message for the holder</label>
        <textarea id="deny-message" name="message" required maxlength="500" rows="3"></textarea>
        <button type="submit">Deny</button>
      </form>
      <form method="post" action="${action}" class="stack">
        ${csrfField(viewer)}<input type="hidden" name="outcome" value="REJECTED" />
        <h3>Reject this evidence</h3>
        <p>The holder may send other evidence.</p>
        <label for="reject-reason">Reason code</label>
        <input id="reject-reason" name="reasonCode" required pattern="[A-Z0-9_]{1,64}" placeholder="BLURRY_PHOTO" aria-describedby="code-help" />
        <button type="submit">Reject</button>
      </form>
      <form method="post" action="${action}" class="stack">
        ${csrfField(viewer)}<input type="hidden" name="outcome" value="ADDITIONAL_INFO_REQUIRED" />
        <h3>Ask for more</h3>
        <label for="more-type">Verification type to ask for</label>
        <input id="more-type" name="requestType" required maxlength="200" placeholder="urn:s2s-issuer:verification-type:identity-evidence" />
        <button type="submit">Ask the holder</button>
      </form>
    </div>
    <p id="code-help" class="help">Reason codes: capital letters, digits and underscores.</p>
  </section>`;
}

/**
 * GET /console/cases/{caseId}: the case; for the reviewer who holds it, its evidence (decrypted
 * here only, every view audited) and the decision forms; for anyone else, a claim button.
 */
export function reviewCasePage(deps: Pick<ConsoleDeps, 'reviewCases' | 'verificationData' | 'logger'>) {
  return async (ctx: ConsoleContext): Promise<void> => {
    const viewer = ctx.state.viewer;
    const found = await deps.reviewCases.get(ctx.params.caseId ?? '');
    if (!found) throw problems.reviewCaseNotFound();
    const now = new Date();
    const held = found.state === 'open' && found.claimedBy === viewer.adminId && (found.claimExpiresAt?.getTime() ?? 0) > now.getTime();
    let body: Html;
    if (held) {
      const { evidence } = await openEvidence(deps, found._id, viewer.adminId);
      body = html`${summary(found, now)}
        <p>You hold this case until ${found.claimExpiresAt?.toISOString()}.</p>
        <section aria-labelledby="evidence">
          <h2 id="evidence">Evidence</h2>
          ${evidenceView(evidence)}
        </section>
        ${decisionForms(found, viewer)}`;
    } else if (found.state === 'open') {
      const takenByOther = found.claimedBy && found.claimedBy !== viewer.adminId && (found.claimExpiresAt?.getTime() ?? 0) > now.getTime();
      body = html`${summary(found, now)}
      ${
        takenByOther
          ? html`<p>Another reviewer holds this case until ${found.claimExpiresAt?.toISOString()}.</p>`
          : html`<form method="post" action="${caseUrl(found._id)}/claim">${csrfField(viewer)}<button type="submit">Claim this case</button></form>`
      }`;
    } else {
      body = html`${summary(found, now)}
        <p>This case is ${found.state}${found.decision ? html`: ${found.decision.outcome}` : ''}.</p>`;
    }
    ctx.type = 'html';
    ctx.body = page({
      title: 'Review case',
      viewer,
      body: html`${body}
        <p><a href="/console/queue">Back to the queue</a></p>`,
    });
  };
}

/** POST /console/cases/{caseId}/claim */
export function claimFromConsole(deps: Pick<ConsoleDeps, 'reviewCases' | 'claimMs' | 'adminAudit' | 'logger'>) {
  return async (ctx: ConsoleContext): Promise<void> => {
    const caseId = ctx.params.caseId ?? '';
    await auditConsoleWrite(deps, ctx, 'claim', { caseId }, () => claimCase(deps, caseId, ctx.state.viewer.adminId));
    seeOther(ctx, caseUrl(caseId));
  };
}

/** The decision a decision form posts, in the admin API's schema (one definition of what a decision may hold). */
function decisionOf(form: URLSearchParams): ReviewDecisionRequest {
  const field = (name: string) => {
    const v = form.get(name)?.trim();
    return v ? v : undefined;
  };
  const requestType = field('requestType');
  const reasonCode = field('reasonCode');
  const message = field('message');
  return checkDecision({
    outcome: field('outcome'),
    ...(reasonCode ? { reasonCode } : {}),
    ...(message ? { message } : {}),
    ...(requestType ? { request: [{ type: requestType, id: 'reviewer-request-1', required: true }] } : {}),
  });
}

/** POST /console/cases/{caseId}/decision: delivered to the verification as the admin API does. */
export function decideFromConsole(deps: Pick<ConsoleDeps, 'reviewCases' | 'workflows' | 'adminAudit' | 'logger'>) {
  return async (ctx: ConsoleContext): Promise<void> => {
    const caseId = ctx.params.caseId ?? '';
    const decision = decisionOf(await readForm(ctx));
    await auditConsoleWrite(deps, ctx, 'decide', { caseId, outcome: decision.outcome }, () => decideCase(deps, caseId, ctx.state.viewer.adminId, decision));
    ctx.type = 'html';
    ctx.body = page({
      title: 'Decision recorded',
      viewer: ctx.state.viewer,
      notice: `Your decision (${decision.outcome}) was delivered to the verification.`,
      body: html`<p><a href="/console/queue">Back to the queue</a></p>`,
    });
  };
}
