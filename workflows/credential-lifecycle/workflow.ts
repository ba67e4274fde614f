import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CredentialIssuanceActivities } from '../../activities/credential-issuance-activities';
import type { CredentialStatusActivities } from '../../activities/credential-status-activities';
import {
  CredentialStatus,
  isFinalLifecycleState,
  isIssuerAction,
  issuesCredentials,
  transition,
  walletActionFor,
  type LifecycleActor,
  type LifecycleState,
} from '../../domain/credential-lifecycle';
import { reconcileAction } from '../../domain/credential-reconciliation';
import { outboundActivityOptions } from '../outbound-activity-options';
import {
  credentialLifecycleStateQuery,
  CredentialLifecycleRefusal,
  holderDataChangedSignal,
  issueCredentialsUpdate,
  manageCredentialUpdate,
  walletEventSignal,
  reconcileSignal,
  displayDataUpdatedSignal,
  type CredentialLifecycleInput,
  type CredentialLifecycleState,
  type IssueOutcome,
  type ManageCredentialResult,
} from './messages';
import { waitingForAttribute, waitingSinceAttribute } from '../verification/search-attributes';
import { WaitingFor } from '../../domain/waiting-for';
import { credentialStatusAttribute, credentialWalletSyncAttribute, lastOutboundOutcomeAttribute, OutboundOutcome, WalletSync } from './search-attributes';
import { afterReadyNotified, afterWalletEvent, deferredWaitMs, historyEventLimit, lifecycleOf, withoutDeferral } from './state';

/**
 * Issuing, checking holder data and checking a proof are database and signing work on the
 * worker that runs the workflow: local activities (a marker in the history, no round trip through
 * a task queue). A retry that must wait longer than a second waits on a workflow timer.
 */
const local = proxyLocalActivities<CredentialIssuanceActivities & CredentialStatusActivities>({
  startToCloseTimeout: '1 minute',
  // Bounded: a get waits for its answer; a failure that persists fails the Update (the API answers 5xx), not the instance.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  localRetryThreshold: '1 second',
});

/** How telling the Wallet Server ended. */
type Told = 'delivered' | 'abandoned';

/**
 * One credential instance (S2S §Credential Endpoints): the workflow through which every get of
 * the instance goes, and which later carries its lifecycle (S2S §Credential Manage). It stays
 * open; it continues as new before its history grows large.
 *
 * A get is the Update `issueCredentials`: the issuance activity loads the verified request and
 * the holder's data, signs (or finds the credentials already signed for the same keys and data)
 * and returns references only. When the issuer's data is not ready (deferred issuance, profile
 * §25) the get answers `pending`, and the workflow looks at the data again on a Temporal timer
 * (the issuer's notReadyUntil, at most deferredPollMs) or as soon as the back office signals a
 * change; once it is ready it tells the Wallet Server with CREDENTIAL_READY (S2S §Event
 * Notification), whose next get is issued.
 *
 * Its lifecycle (profile §29) follows domain/credential-lifecycle.ts: IN_PROCESS until the first
 * get issues, then ACTIVE; the Update `manageCredential` (the Wallet Server's /credential/manage,
 * the issuer's back office) moves it by the transition table. Every move is applied (status list
 * entries, the instance's record) before it is visible or answered, and sets the
 * S2sCredentialStatus search attribute. Once CANCELLED the workflow completes.
 */
export async function credentialLifecycleWorkflow(input: CredentialLifecycleInput, carried?: CredentialLifecycleState): Promise<void> {
  const ref = { tenantId: input.tenantId, sessionId: input.sessionId, credentialInstanceId: input.credentialInstanceId };
  const issuance = {
    ...ref,
    verificationId: input.verificationId,
    credentialConfigurationId: input.credentialConfigurationId,
    holderAccountId: input.holderAccountId,
  };
  const outbound = proxyActivities<CredentialIssuanceActivities>(outboundActivityOptions({ taskQueue: input.outboundTaskQueue, tenantId: input.tenantId }));

  let state: CredentialLifecycleState = carried ?? { readyNotified: [] };

  /**
   * A call to the Wallet Server whose outcome shows as search attributes (behind a patch: runs
   * recorded before them make none): S2sLastOutboundOutcome PENDING while it runs (its retries
   * included), then DELIVERED or ABANDONED; S2sWaitingFor WALLET_SERVER and S2sWaitingSince (the
   * start of the oldest call not acknowledged since) until one is delivered.
   */
  function tracked<A extends unknown[], R>(call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args) => {
      if (!patched('outbound-outcome-attributes')) return call(...args);
      const since = state.unacknowledgedSince ?? new Date().toISOString();
      state = { ...state, unacknowledgedSince: since };
      upsertSearchAttributes([
        { key: lastOutboundOutcomeAttribute, value: OutboundOutcome.pending },
        { key: waitingForAttribute, value: [WaitingFor.walletServer] },
        { key: waitingSinceAttribute, value: new Date(since) },
      ]);
      try {
        const result = await call(...args);
        state = { ...state };
        delete state.unacknowledgedSince;
        upsertSearchAttributes([
          { key: lastOutboundOutcomeAttribute, value: OutboundOutcome.delivered },
          { key: waitingForAttribute, value: null },
          { key: waitingSinceAttribute, value: null },
        ]);
        return result;
      } catch (error) {
        upsertSearchAttributes([{ key: lastOutboundOutcomeAttribute, value: OutboundOutcome.abandoned }]);
        throw error;
      }
    };
  }
  const notifyCredentialReady = tracked(outbound.notifyCredentialReady);
  const notifyCredentialUpdateAvailable = tracked(outbound.notifyCredentialUpdateAvailable);
  const tellWalletServerLifecycle = tracked(outbound.tellWalletServerLifecycle);
  const askWalletServerStatus = tracked(outbound.askWalletServerStatus);
  const notifyDisplayDataUpdated = tracked(outbound.notifyDisplayDataUpdated);
  let holderDataChanged = false;
  /**
   * Gets and lifecycle requests run one after the other, so two gets never race on one
   * credential set and a status change covers every credential issued before it.
   */
  let busy = false;
  const startedAt = new Date().toISOString();
  const lifecycle = () => lifecycleOf(state, startedAt);

  /**
   * Applies the lifecycle `status` (status list entries, the instance's record), then makes it
   * visible: the state, the search attribute. `reason` is lastStatusChangeReason when the status
   * changes; a projection of the same status (a new credentialVersion) keeps the earlier one.
   */
  async function project(status: LifecycleState, reason: string): Promise<void> {
    const current = lifecycle();
    const changed = status !== current.status;
    const next = {
      status,
      statusVersion: current.statusVersion + 1,
      changedAt: changed ? new Date().toISOString() : current.changedAt,
      reason: changed ? reason : current.reason,
    };
    await local.applyCredentialStatus({ ...ref, ...next, credentialVersion: state.credentialVersion ?? '' });
    state = { ...state, lifecycle: next };
    if (changed) upsertSearchAttributes([{ key: credentialStatusAttribute, value: status }]);
  }

  setHandler(credentialLifecycleStateQuery, () => state);
  setHandler(displayDataUpdatedSignal, ({ credentialMetadataVersion }) => {
    if (state.displayNotified?.credentialMetadataVersion !== credentialMetadataVersion) state = { ...state, displayPending: credentialMetadataVersion };
  });
  let reconcileRequested: string | undefined;
  setHandler(reconcileSignal, ({ reconciliationId }) => {
    reconcileRequested = reconciliationId;
  });
  setHandler(walletEventSignal, (event) => {
    state = afterWalletEvent(state, event);
  });
  setHandler(holderDataChangedSignal, () => {
    holderDataChanged = true;
  });
  setHandler(issueCredentialsUpdate, async ({ requestRef, requestId, proof }): Promise<IssueOutcome> => {
    // Only the issuer's API may have credentials issued (its proof of origin over the references).
    if (!(await local.verifyIssueProof({ ...ref, requestRef, requestId, ...(proof === undefined ? {} : { proof }) }))) {
      throw ApplicationFailure.create({ type: CredentialLifecycleRefusal.unproven, message: 'a get without the API’s proof of origin', nonRetryable: true });
    }
    return exclusively(async (): Promise<IssueOutcome> => {
      const { status } = lifecycle();
      // Profile §29: nothing is issued while suspended, nor once unlinked or cancelled.
      if (!issuesCredentials(status)) {
        return status === CredentialStatus.suspendedIssuer || status === CredentialStatus.suspendedWallet
          ? { outcome: 'suspended', status }
          : { outcome: 'closed' };
      }
      const outcome = await local.issueCredentialBatch({ ...issuance, requestRef, requestId });
      const rest = withoutDeferral(state);
      if (outcome.outcome === 'issued') {
        const versionChanged = outcome.credentialVersion !== state.credentialVersion;
        const left = lifecycle();
        state = { ...rest, credentialVersion: outcome.credentialVersion, ...(outcome.refreshAt ? { refreshAt: outcome.refreshAt } : {}) };
        // IN_PROCESS → ACTIVE with the first credentials; the record's currentVersion follows the data.
        if ((status === CredentialStatus.inProcess || versionChanged) && patched('credential-lifecycle-status')) {
          // Until its first move the record is derived from the state (lifecycleOf), which now
          // holds a credentialVersion and so reads ACTIVE: pinned to the IN_PROCESS it leaves, the
          // move is seen as one (S2sCredentialStatus, lastStatusChangeTime).
          if (rest.lifecycle === undefined && patched('first-issuance-status-move')) state = { ...state, lifecycle: left };
          await project(CredentialStatus.active, 'issued');
        }
      } else if (outcome.outcome === 'pending')
        // The newest get that found the data not ready is the one CREDENTIAL_READY answers.
        state = { ...rest, deferred: { triggeringRequestId: requestId, ...(outcome.notReadyUntil ? { notReadyUntil: outcome.notReadyUntil } : {}) } };
      else state = rest;
      return outcome;
    });
  });

  /** Runs `step` once no get or lifecycle change runs (they are serialized, see `busy`). */
  async function exclusively<T>(step: () => Promise<T>): Promise<T> {
    await condition(() => !busy);
    busy = true;
    try {
      return await step();
    } finally {
      busy = false;
    }
  }

  /** A party's lifecycle request, decided by the transition table and applied (profile §29). */
  async function applyMove(args: { actor: LifecycleActor; action: string; reason?: string }): Promise<ManageCredentialResult> {
    const previousStatus = lifecycle().status;
    const move = transition(previousStatus, args.actor, args.action);
    if (!move)
      throw ApplicationFailure.create({
        type: CredentialLifecycleRefusal.unknownAction,
        message: `no action ${args.action} for ${args.actor}`,
        nonRetryable: true,
      });
    if (move.outcome === 'FAILED') return { currentStatus: previousStatus, previousStatus, outcome: 'FAILED', failureReason: move.failureReason };
    if (move.outcome === 'NO_CHANGE') return { currentStatus: previousStatus, previousStatus, outcome: 'NO_CHANGE' };
    const reason = args.reason ?? args.action.toLowerCase();
    await project(move.next, reason);
    // A deferred issuance ends with the instance: nothing more is issued.
    if (!issuesCredentials(move.next)) state = withoutDeferral(state);
    // The issuer's own change is told to the Wallet Server after the answer (the main loop):
    // a Wallet Server that is down delays nothing here. The newest change replaces an untold one.
    if (args.actor === 'ISSUER' && isIssuerAction(args.action) && patched('tell-wallet-server-lifecycle')) {
      const { statusVersion, changedAt } = lifecycle();
      state = { ...state, walletPush: { action: walletActionFor(args.action), reason, statusVersion, timestamp: changedAt } };
    }
    return { currentStatus: move.next, previousStatus, outcome: 'COMPLETED' };
  }

  setHandler(
    manageCredentialUpdate,
    async (args): Promise<ManageCredentialResult> => {
      // Only the issuer's API or back office may change a lifecycle (its proof of origin).
      if (!(await local.verifyManageProof({ ...ref, ...args }))) {
        throw ApplicationFailure.create({
          type: CredentialLifecycleRefusal.unproven,
          message: 'a lifecycle request without the API’s proof of origin',
          nonRetryable: true,
        });
      }
      return exclusively(() => applyMove(args));
    },
    {
      // Refused before it reaches the history: an action the party does not have (the API checks the schema first).
      validator: (args) => {
        if (!transition(CredentialStatus.active, args.actor, args.action)) throw new Error(`no action ${String(args.action)} for ${String(args.actor)}`);
      },
    },
  );

  const shouldContinueAsNew = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > (input.historyEventLimit ?? historyEventLimit);

  /** Tells the Wallet Server of the newest issuer change (profile §29); records how it ended. */
  async function pushToWallet(push: NonNullable<CredentialLifecycleState['walletPush']>): Promise<void> {
    // Given up after the draft's retries: reconciliation and the Wallet Server's /credential/status tell it later.
    const outcome = await told(() => tellWalletServerLifecycle({ ...ref, ...push }), 'lifecycle change not told to the Wallet Server after retries', {
      action: push.action,
    });
    const { walletPush: current, ...rest } = state;
    // A newer change while this one was told is told next.
    state = { ...rest, ...(current !== push && current ? { walletPush: current } : {}), lastWalletPush: { statusVersion: push.statusVersion, outcome } };
  }

  /**
   * The holder's data changed after credentials were issued (profile §29, Refresh): when it now
   * gives another credentialVersion, the Wallet Server is told CREDENTIAL_UPDATE_AVAILABLE once
   * per version (notify, then pull: its next get issues the new version). Nothing is pushed.
   */
  async function offerUpdate(): Promise<void> {
    let check: Awaited<ReturnType<CredentialIssuanceActivities['checkHolderData']>>;
    try {
      check = await local.checkHolderData(issuance);
    } catch {
      log.warn('holder data check failed; the next change looks again', { credentialInstanceId: input.credentialInstanceId });
      return;
    }
    const version = check.outcome === 'ready' ? check.credentialVersion : undefined;
    if (version === undefined || version === state.credentialVersion || version === state.updateOffered?.credentialVersion) return;
    const outcome = await told(
      () => notifyCredentialUpdateAvailable({ ...ref, credentialVersion: version, eventTimestamp: new Date().toISOString() }),
      'CREDENTIAL_UPDATE_AVAILABLE abandoned after retries',
    );
    state = { ...state, updateOffered: { credentialVersion: version, outcome } };
  }

  /**
   * Runs a call that tells the Wallet Server something: 'abandoned' once the draft's retries gave
   * up (S2S §Rate Limiting), which is logged and marks the instance OUT_OF_SYNC for reconciliation.
   */
  async function told(call: () => Promise<unknown>, abandoned: string, details: Record<string, string> = {}): Promise<Told> {
    try {
      await call();
      return 'delivered';
    } catch {
      log.warn(abandoned, { credentialInstanceId: input.credentialInstanceId, ...details });
      markWalletSync(WalletSync.outOfSync);
      return 'abandoned';
    }
  }

  /** The S2sCredentialWalletSync search attribute (behind a patch: runs recorded before it replay without it). */
  function markWalletSync(value: (typeof WalletSync)[keyof typeof WalletSync]): void {
    if (patched('wallet-sync-attribute')) upsertSearchAttributes([{ key: credentialWalletSyncAttribute, value }]);
  }

  /**
   * Reconciliation (profile §29): asks the Wallet Server's /credential/status and acts by the
   * grid (domain/credential-reconciliation.ts): its own missed move is applied, the issuer's state
   * it missed is told again, anything else is recorded for a person.
   */
  async function reconcile(reconciliationId: string): Promise<void> {
    const at = new Date().toISOString();
    let view: Awaited<ReturnType<CredentialIssuanceActivities['askWalletServerStatus']>>;
    try {
      view = await askWalletServerStatus({ ...ref, reconciliationId });
    } catch {
      state = { ...state, reconciliation: { reconciliationId, at, outcome: 'unreachable' } };
      return;
    }
    const action = reconcileAction(lifecycle().status, view.walletView);
    const record = { reconciliationId, at, walletView: view.walletView };
    switch (action.kind) {
      case 'none':
        state = { ...state, reconciliation: { ...record, outcome: 'in_sync' } };
        markWalletSync(WalletSync.inSync);
        return;
      case 'apply_wallet_move':
        await exclusively(() => applyMove({ actor: 'WALLET', action: action.action, reason: 'reconciled' }));
        state = { ...state, reconciliation: { ...record, outcome: 'applied', detail: action.action } };
        markWalletSync(WalletSync.inSync);
        return;
      case 'tell_wallet': {
        const { statusVersion, changedAt, reason } = lifecycle();
        const push = { action: action.action, reason, statusVersion, timestamp: changedAt, attemptKey: reconciliationId };
        state = { ...state, walletPush: push, reconciliation: { ...record, outcome: 'told', detail: action.action } };
        await pushToWallet(push);
        if (state.lastWalletPush?.outcome === 'delivered') markWalletSync(WalletSync.inSync);
        return;
      }
      case 'report':
        log.warn('the Wallet Server’s view differs; left for an operator', { credentialInstanceId: input.credentialInstanceId, reason: action.reason });
        state = { ...state, reconciliation: { ...record, outcome: 'reported', detail: action.reason } };
        markWalletSync(WalletSync.needsReview);
        return;
    }
  }

  /** When fresh credentials are next to be offered: the last issued ones' refresh time, unless offered already or nothing issues. */
  function refreshDue(): number | undefined {
    if (state.refreshAt === undefined || state.refreshAt === state.refreshOffered || !issuesCredentials(lifecycle().status)) return undefined;
    return Date.parse(state.refreshAt);
  }

  /**
   * The credentials last issued are due for refresh (profile §29, Refresh): the Wallet Server is
   * told CREDENTIAL_UPDATE_AVAILABLE with the current version (notify, then pull); its next get
   * signs fresh ones (a new renewal period), with the keys it chooses.
   */
  async function offerRefresh(refreshAt: string): Promise<void> {
    const outcome = await told(
      () =>
        notifyCredentialUpdateAvailable({
          ...ref,
          credentialVersion: state.credentialVersion as string,
          eventTimestamp: new Date().toISOString(),
          refreshOf: refreshAt,
        }),
      'refresh offer abandoned after retries',
    );
    state = { ...state, refreshOffered: refreshAt, updateOffered: { credentialVersion: state.credentialVersion as string, outcome } };
  }

  /**
   * The display data of the configuration changed (profile §29, DISPLAY_DATA_UPDATED): the Wallet
   * Server is told once per credential metadata version, unless the instance has ended (unlinked,
   * cancelled); it fetches /credential/metadata. A newer version while one is told is told next.
   */
  async function tellDisplayDataUpdated(credentialMetadataVersion: string): Promise<void> {
    const outcome: Told = isFinalLifecycleState(lifecycle().status)
      ? 'delivered'
      : await told(
          () => notifyDisplayDataUpdated({ ...ref, credentialMetadataVersion, eventTimestamp: new Date().toISOString() }),
          'DISPLAY_DATA_UPDATED abandoned after retries',
        );
    const { displayPending, ...rest } = state;
    state = {
      ...rest,
      ...(displayPending !== undefined && displayPending !== credentialMetadataVersion ? { displayPending } : {}),
      displayNotified: { credentialMetadataVersion, outcome },
    };
  }

  /** The Wallet Server reported as many provisioning failures as the issuer's policy allows (none when no limit is set). */
  const provisioningFailed = () =>
    input.provisioningFailureLimit !== undefined &&
    (state.provisioningFailures ?? 0) >= input.provisioningFailureLimit &&
    lifecycle().status !== CredentialStatus.cancelled;

  const cancelled = () => lifecycle().status === CredentialStatus.cancelled;
  // A cancelled instance ends once the Wallet Server was told (a give-up waits for reconciliation).
  const ended = () => cancelled() && !state.walletPush && state.lastWalletPush?.outcome !== 'abandoned' && reconcileRequested === undefined;
  while (!shouldContinueAsNew() && !ended()) {
    if (reconcileRequested !== undefined) {
      const reconciliationId = reconcileRequested;
      reconcileRequested = undefined;
      await reconcile(reconciliationId);
      continue;
    }
    if (state.walletPush) {
      await pushToWallet(state.walletPush);
      continue;
    }
    if (state.displayPending !== undefined) {
      await tellDisplayDataUpdated(state.displayPending);
      continue;
    }
    if (provisioningFailed()) {
      // Profile §29: the issuer's policy gives up on a device that keeps failing to provision.
      await exclusively(() => applyMove({ actor: 'ISSUER', action: 'CANCEL', reason: 'provisioning_failed' }));
      continue;
    }
    const deferred = state.deferred;
    if (!deferred && holderDataChanged) {
      holderDataChanged = false;
      if (state.credentialVersion !== undefined && issuesCredentials(lifecycle().status) && patched('credential-update-available')) await offerUpdate();
      continue;
    }
    if (!deferred) {
      const wake = () =>
        state.deferred !== undefined ||
        state.walletPush !== undefined ||
        state.displayPending !== undefined ||
        provisioningFailed() ||
        holderDataChanged ||
        reconcileRequested !== undefined ||
        shouldContinueAsNew() ||
        ended();
      // Profile §29, Refresh: a Temporal timer until the credentials are due for refresh, once per
      // refresh time; a get that issues (a new refresh time) or a change that stops issuance wakes it.
      const refreshAt = refreshDue();
      if (refreshAt === undefined || !patched('refresh-before-expiry')) {
        await condition(() => wake() || refreshDue() !== refreshAt);
        continue;
      }
      const refreshAtIso = state.refreshAt as string;
      if (!(await condition(() => wake() || refreshDue() !== refreshAt, Math.max(1, refreshAt - Date.now()))) && state.refreshAt === refreshAtIso)
        await offerRefresh(refreshAtIso);
      continue;
    }
    // A Temporal timer, not a sleep in a worker slot; the signal cuts it short.
    await condition(
      () =>
        holderDataChanged ||
        state.deferred !== deferred ||
        state.walletPush !== undefined ||
        state.displayPending !== undefined ||
        reconcileRequested !== undefined ||
        shouldContinueAsNew(),
      deferredWaitMs(deferred, Date.now(), input.deferredPollMs),
    );
    // A get meanwhile issued, found the data gone, or is the newer deferred one; or a change to tell first.
    if (
      state.deferred !== deferred ||
      state.walletPush !== undefined ||
      state.displayPending !== undefined ||
      reconcileRequested !== undefined ||
      shouldContinueAsNew()
    )
      continue;
    holderDataChanged = false;
    let check: Awaited<ReturnType<CredentialIssuanceActivities['checkHolderData']>>;
    try {
      check = await local.checkHolderData(issuance);
    } catch {
      // The data could not be read now: look again after the next wait.
      log.warn('holder data check failed; retried after the next wait', { credentialInstanceId: input.credentialInstanceId });
      state = { ...state, deferred: { ...deferred } };
      continue;
    }
    if (state.deferred !== deferred) continue;
    if (check.outcome === 'pending') {
      state = {
        ...state,
        deferred: { triggeringRequestId: deferred.triggeringRequestId, ...(check.notReadyUntil ? { notReadyUntil: check.notReadyUntil } : {}) },
      };
    } else if (check.outcome === 'ready') {
      // S2S §Event Notification: a poke; the Wallet Server's next get is issued. eventTimestamp is
      // when the workflow saw the data ready (workflow time, so a replay sends the same event).
      try {
        await notifyCredentialReady({ ...ref, triggeringRequestId: deferred.triggeringRequestId, eventTimestamp: new Date().toISOString() });
      } catch {
        // Given up after the draft's retries (S2S §Rate Limiting): the Wallet Server's next get is issued anyway.
        log.warn('CREDENTIAL_READY notification abandoned after retries', { credentialInstanceId: input.credentialInstanceId });
      }
      const notified = afterReadyNotified(state, deferred.triggeringRequestId);
      // A get that was deferred again while the notification went out keeps its deferral.
      state = state.deferred === deferred || !state.deferred ? notified : { ...notified, deferred: state.deferred };
    } else {
      // The data set is gone or incomplete: nothing will become ready; the next get says so.
      state = withoutDeferral(state);
      log.warn('deferred issuance ended: holder data unavailable', { credentialInstanceId: input.credentialInstanceId, reason: check.reason });
    }
  }
  // Updates in flight finish in this run; the state (identifiers, versions, times) goes on.
  await condition(allHandlersFinished);
  // CANCELLED is final (profile §29): the record answers /credential/status from now on.
  if (ended()) return;
  await continueAsNew<typeof credentialLifecycleWorkflow>(input, state);
}
