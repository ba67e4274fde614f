import { log } from '@temporalio/activity';
import type { VerificationWorkflows } from '../clients/temporal/verification-workflows';
import { abortedDecision, isTerminal } from '../domain/verification-state';
import type { IdempotencyRepository } from '../store/idempotency';
import type { RepairLog } from '../store/reconciliation-repairs';
import type { ReviewCaseRepository } from '../store/review-cases';
import type { OpenVerificationRepository } from '../store/open-verifications';
import type { VerificationDataRepository } from '../store/verification-data';
import { currentDecision, type VerificationSessionRepository } from '../store/verification-sessions';
import type { VerificationWorkflowInput } from '../workflows/verification/messages';
import type { VerificationRef } from './verification-activities';

import type { CredentialLifecycleWorkflows } from '../clients/temporal/credential-lifecycle-workflows';
import type { CredentialInstanceRepository } from '../store/credential-instances';
import type { SweepCursors } from '../store/sweep-cursors';
import type { TenantRepository } from '../store/tenants';
import { issuerMetrics } from '../observability/metrics';

export interface ReconciliationDeps {
  idempotency: IdempotencyRepository;
  sessions: VerificationSessionRepository;
  verificationData: VerificationDataRepository;
  reviewCases: ReviewCaseRepository;
  openVerifications: Pick<OpenVerificationRepository, 'release' | 'listHeldBefore'>;
  workflows: VerificationWorkflows;
  /** Profile §29: instances whose Wallet Server missed a change. */
  credentialLifecycles: Pick<CredentialLifecycleWorkflows, 'listOutOfSync' | 'reconcile'>;
  /** Profile §29: the sweep that asks every live instance in turn, and where it goes on. */
  credentialInstances: Pick<CredentialInstanceRepository, 'listLiveInstances'>;
  sweepCursors: SweepCursors;
  /** The sweep passes over instances of Wallet Servers that were deregistered: nobody answers for them. */
  tenants: Pick<TenantRepository, 'findById'>;
  repairs: RepairLog;
  /** The same workflow settings the API starts verifications with. */
  verificationSettings: Pick<VerificationWorkflowInput, 'initialDecisionWaitMs' | 'idleExpiryMs' | 'limits'>;
}

/** The sweep cursor of the credential instances (store/sweep-cursors.ts). */
const credentialSweep = 'credential-reconciliation';

/** A verification whose status reconciliation changed: the Wallet Server must hear of it. */
export interface RepairedStatus extends VerificationRef {
  statusVersion: number;
}

/**
 * What a crash can leave behind, found and repaired (docs/architecture.md §Reconciliation).
 * Every repair is idempotent, logged with identifiers only, and recorded in reconciliation_repairs.
 */
export function createReconciliationActivities(deps: ReconciliationDeps) {
  async function repaired(kind: Parameters<RepairLog['record']>[0]['kind'], tenantId: string, subject: Record<string, string>): Promise<void> {
    await deps.repairs.record({ kind, tenantId, subject });
    issuerMetrics.reconciliationRepairs.inc({ kind });
    log.warn('reconciliation repair', { kind, tenantId, ...subject });
  }

  return {
    /**
     * Executions whose lease lapsed more than `graceMs` ago and that no retry took over: the
     * process died mid-request and the Wallet Server did not retry. An initiate that stored its
     * session and its verification data is rolled forward (its workflow is started), so the
     * wallet learns the outcome by notification; one that died before its data was stored is
     * rolled back (the wallet never got its verificationId, and a workflow without the data would
     * ask for data the wallet already sent). Then the x-request-id is released, so a late retry
     * executes afresh: it finds its verificationId after a roll-forward, a new one after a roll-back.
     */
    async releaseLapsedRequests(input: { graceMs: number; limit: number }): Promise<{ released: number; started: number; rolledBack: number }> {
      const counts = { released: 0, started: 0, rolledBack: 0 };
      for (const execution of await deps.idempotency.listLapsed(new Date(Date.now() - input.graceMs), input.limit)) {
        // The same first-one-wins takeover as a retry's: a retry arriving now and this repair never both act.
        if (!(await deps.idempotency.takeOverLapsed(execution))) continue;
        const key = { tenantId: execution.tenantId, sessionId: execution.sessionId ?? '' };
        const verification =
          execution.path === '/verification/initiate' && execution.sessionId ? await deps.sessions.findByInitiatingRequest(key, execution) : null;
        if (verification && (await deps.workflows.describe(verification)) === 'missing') {
          const ref = { tenantId: verification.tenantId, sessionId: verification.sessionId, verificationId: verification.verificationId };
          const subject = { sessionId: ref.sessionId, verificationId: ref.verificationId, requestId: execution.requestId };
          const dataRef = verification.verificationDataRef;
          if (dataRef === undefined || (await deps.verificationData.exists(ref.tenantId, dataRef))) {
            const request = {
              credentialConfigurationIds: verification.credentialConfigurationIds,
              requestedDeviceCount: verification.requestedDeviceCount,
              ...(verification.supportedVerificationTypes ? { supportedVerificationTypes: verification.supportedVerificationTypes } : {}),
            };
            await deps.workflows.start({
              ...ref,
              ...deps.verificationSettings,
              credentialConfigurationIds: verification.credentialConfigurationIds,
              request,
              ...(dataRef ? { verificationDataRef: dataRef } : {}),
            });
            counts.started += 1;
            await repaired('workflow-started', ref.tenantId, subject);
          } else {
            await deps.sessions.abandonVerification(ref, ref.verificationId);
            await deps.openVerifications.release(ref);
            counts.rolledBack += 1;
            await repaired('initiate-rolled-back', ref.tenantId, subject);
          }
        }
        await deps.idempotency.forget(execution);
        counts.released += 1;
        await repaired('request-released', execution.tenantId, { requestId: execution.requestId, path: execution.path });
      }
      return counts;
    },

    /**
     * Verifications whose workflow closed without completing (failed, or terminated by an
     * operator) while the projection still shows an open status: they end as DENIED with
     * VERIFICATION_ABORTED (profile §Reconciliation), so the wallet is not left polling forever.
     */
    async abortClosedVerifications(input: { lookbackMs: number; limit: number }): Promise<RepairedStatus[]> {
      const changed: RepairedStatus[] = [];
      for (const ref of await deps.workflows.listAbortedSince(new Date(Date.now() - input.lookbackMs), input.limit)) {
        const session = await deps.sessions.find(ref, ref.verificationId);
        if (!session || isTerminal(currentDecision(session).status)) continue;
        // A retried or restarted run may be running again under the same id: leave it alone.
        if ((await deps.workflows.describe(ref)) === 'running') continue;
        const statusVersion = session.statusVersion + 1;
        await deps.sessions.recordDecision(ref, ref.verificationId, abortedDecision(), statusVersion);
        await deps.reviewCases.closeForVerification(ref.verificationId, abortedDecision().status);
        await deps.openVerifications.release(ref);
        changed.push({ ...ref, statusVersion });
        await repaired('verification-aborted', ref.tenantId, { sessionId: ref.sessionId, verificationId: ref.verificationId });
      }
      return changed;
    },

    /**
     * Open-verification slots (profile §Quotas) taken more than `graceMs` ago whose verification
     * has ended or does not exist (a crash between the slot and the rest of an initiate, or
     * between a final status and the release): freed, so a crash never holds a slot for good.
     * A slot of a verification that is still open is left alone.
     */
    async releaseEndedQuotaSlots(input: { graceMs: number; limit: number }): Promise<number> {
      let released = 0;
      for (const ref of await deps.openVerifications.listHeldBefore(new Date(Date.now() - input.graceMs), input.limit)) {
        const session = await deps.sessions.find(ref, ref.verificationId);
        if (session && !isTerminal(currentDecision(session).status)) continue;
        await deps.openVerifications.release(ref);
        released += 1;
        await repaired('quota-slot-released', ref.tenantId, { sessionId: ref.sessionId, verificationId: ref.verificationId });
      }
      return released;
    },

    /**
     * Notifications the notifier gave up on (S2S §Rate Limiting: after 3 retries) that are due
     * for another try: given up at least `minAgeMs` ago and within `lookbackMs`. A failed resend
     * is recorded as given up again, which moves it to the back of the queue.
     */
    async listNotificationsToResend(input: { lookbackMs: number; minAgeMs: number; limit: number }): Promise<RepairedStatus[]> {
      const due = Date.now() - input.minAgeMs;
      const pending = await deps.sessions.listUnacknowledgedNotifications({ since: new Date(Date.now() - input.lookbackMs), limit: input.limit });
      return pending
        .filter((n) => n.abandonedAt.getTime() <= due)
        .map(({ tenantId, sessionId, verificationId, statusVersion }) => ({ tenantId, sessionId, verificationId, statusVersion }));
    },

    /**
     * Asks every running credential instance whose Wallet Server missed something the issuer gave
     * up telling it (S2sCredentialWalletSync = OUT_OF_SYNC) to reconcile now (profile §29). Each
     * instance asks its Wallet Server and acts by the grid; one still unreachable stays
     * OUT_OF_SYNC for the next pass. `passId` keeps a retried activity's signals the same.
     */
    async requestCredentialReconciliations(input: { limit: number; passId: string }): Promise<number> {
      const refs = await deps.credentialLifecycles.listOutOfSync(input.limit);
      let signalled = 0;
      for (const ref of refs) if (await deps.credentialLifecycles.reconcile(ref, input.passId)) signalled += 1;
      return signalled;
    },

    /**
     * The sweep (profile §29): the next `limit` instances that hold credentials and go on, in key
     * order across Wallet Servers, are asked to reconcile, so a Wallet Server that changed an
     * instance without telling (or lost it) is found though nothing was given up. Starts over
     * after the last one. A pass that dies before the cursor moves asks the same page again:
     * an extra look, nothing more. `passId` keeps a retried activity's signals the same.
     */
    async sweepCredentialInstances(input: { limit: number; passId: string }): Promise<number> {
      const after = await deps.sweepCursors.get(credentialSweep);
      const page = await deps.credentialInstances.listLiveInstances(after, input.limit);
      // Past the last one, the page goes on from the first (each instance at most once a pass).
      const wrapped =
        page.length < input.limit && after !== undefined
          ? (await deps.credentialInstances.listLiveInstances(undefined, input.limit - page.length)).filter((instance) => instance.key <= after)
          : [];
      const asked = [...page, ...wrapped];
      const registered = new Map<string, boolean>();
      for (const tenantId of new Set(asked.map((instance) => instance.tenantId))) {
        const tenant = await deps.tenants.findById(tenantId);
        registered.set(tenantId, tenant !== null && !tenant.deregisteredAt);
      }
      let signalled = 0;
      for (const { tenantId, credentialInstanceId } of asked) {
        if (registered.get(tenantId) && (await deps.credentialLifecycles.reconcile({ tenantId, credentialInstanceId }, input.passId))) signalled += 1;
      }
      // A page short of the limit asked every live instance: the next pass starts at the first.
      await deps.sweepCursors.set(credentialSweep, asked.length < input.limit ? undefined : asked.at(-1)?.key);
      return signalled;
    },

    /** Records repairs the workflow made through other activities (a notification sent again). */
    async recordResentNotifications(resent: RepairedStatus[]): Promise<void> {
      for (const status of resent) {
        await repaired('notification-resent', status.tenantId, {
          sessionId: status.sessionId,
          verificationId: status.verificationId,
          statusVersion: String(status.statusVersion),
        });
      }
    },
  };
}
export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
