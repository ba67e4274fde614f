import { randomUUID } from 'node:crypto';
import { problems } from '../../../domain/problems';
import { IssuerLifecycleRequest } from '../../../domain/schemas/credential-lifecycle';
import type { CredentialInstance } from '../../../store/credential-instances';
import type { ManageCredentialResult } from '../../../workflows/credential-lifecycle/messages';
import { answerFromRecord } from '../../routes/credential-manage';
import { parseJsonBody } from '../../middleware/json-body';
import { validateBody, validatedBody } from '../../middleware/validate-body';
import type { AdminDeps } from '../app';
import { AdminCaller, adminBodyLimitBytes, type AdminContext, type AdminMiddleware, type AdminRoute } from '../route';
import { mapInGroups } from '../../../domain/grouped-map';

type Deps = Pick<AdminDeps, 'credentialInstances' | 'lifecycle'>;
type BatchDeps = Pick<AdminDeps, 'lifecycleBatches' | 'tenants'>;

/** Instances per page of a mass change (one activity each). */
const batchPageSize = 100;

/** Most instances one holder request changes; a holder has a handful (one per configuration and device). */
const maxInstancesPerHolder = 200;
/** Lifecycle Updates in flight at once for one holder request. */
const holderConcurrency = 8;

/**
 * The issuer's lifecycle request on one instance (profile §29, party ISSUER): the instance's
 * workflow decides by the transition table, applies the change (status list, record) and then
 * tells the Wallet Server. An instance whose workflow has ended answers from its record.
 */
export async function manageOne(deps: Deps, instance: CredentialInstance, request: IssuerLifecycleRequest, requestId: string) {
  const result: ManageCredentialResult | null = await deps.lifecycle.manage(instance, {
    actor: 'ISSUER',
    action: request.action,
    requestId,
    ...(request.reason ? { reason: request.reason } : {}),
  });
  return {
    tenantId: instance.tenantId,
    credentialInstanceId: instance.credentialInstanceId,
    ...(result ?? answerFromRecord(instance, 'ISSUER', request.action)),
  };
}

/** The instance the path names (`/credential-instances/{tenantId}/{credentialInstanceId}/…`), or 404. */
async function instanceNamedByPath(deps: Deps, ctx: AdminContext): Promise<CredentialInstance> {
  const instance = await deps.credentialInstances.findById(ctx.params.tenantId as string, ctx.params.credentialInstanceId as string);
  if (!instance) throw problems.credentialInstanceNotFound();
  return instance;
}

function manageInstance(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    const request = validatedBody(ctx, IssuerLifecycleRequest);
    const instance = await instanceNamedByPath(deps, ctx);
    ctx.state.auditTarget = { tenantId: instance.tenantId, credentialInstanceId: instance.credentialInstanceId, action: request.action };
    const answer = await manageOne(deps, instance, request, request.requestId ?? randomUUID());
    ctx.state.auditTarget.outcome = answer.outcome;
    ctx.body = answer;
  };
}

function manageHolder(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    const request = validatedBody(ctx, IssuerLifecycleRequest);
    const instances = await deps.credentialInstances.findByHolder(ctx.params.holderAccountId as string, maxInstancesPerHolder);
    const requestId = request.requestId ?? randomUUID();
    const results = await mapInGroups(instances, holderConcurrency, (instance) => manageOne(deps, instance, request, requestId));
    // Counts only: the audit trail names no holder account (profile §16).
    ctx.state.auditTarget = { action: request.action, instances: results.length, completed: results.filter((r) => r.outcome === 'COMPLETED').length };
    ctx.body = { results };
  };
}

/** POST /admin/credential-instances/{tenantId}/{credentialInstanceId}/lifecycle (profile §29). */
export const manageCredentialInstanceRoute: AdminRoute<Deps> = {
  method: 'POST',
  path: '/credential-instances/:tenantId/:credentialInstanceId/lifecycle',
  caller: AdminCaller.backOffice,
  steps: (deps) => [parseJsonBody(adminBodyLimitBytes), validateBody(IssuerLifecycleRequest), manageInstance(deps)],
};

/** POST /admin/holders/{holderAccountId}/lifecycle (profile §29): every instance of the holder, on every Wallet Server. */
export const manageHolderCredentialsRoute: AdminRoute<Deps> = {
  method: 'POST',
  path: '/holders/:holderAccountId/lifecycle',
  caller: AdminCaller.backOffice,
  steps: (deps) => [parseJsonBody(adminBodyLimitBytes), validateBody(IssuerLifecycleRequest), manageHolder(deps)],
};

/**
 * An operator asks one instance to reconcile with its Wallet Server's view now (profile §29,
 * Reconciliation), instead of waiting for the reconciliation pass. 202: the instance asks the
 * Wallet Server and acts by the grid; its workflow's state says what came of it.
 */
function reconcileInstance(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    const instance = await instanceNamedByPath(deps, ctx);
    const reconciliationId = randomUUID();
    const running = await deps.lifecycle.reconcile(instance, reconciliationId);
    ctx.state.auditTarget = { tenantId: instance.tenantId, credentialInstanceId: instance.credentialInstanceId, running };
    ctx.status = running ? 202 : 409;
    ctx.body = running ? { reconciliationId } : { detail: 'The instance’s lifecycle has ended; its record is final' };
  };
}

/** POST /admin/credential-instances/{tenantId}/{credentialInstanceId}/reconcile (profile §29). */
export const reconcileCredentialInstanceRoute: AdminRoute<Deps> = {
  method: 'POST',
  path: '/credential-instances/:tenantId/:credentialInstanceId/reconcile',
  caller: AdminCaller.backOffice,
  steps: (deps) => [reconcileInstance(deps)],
};

/**
 * A lifecycle change of every instance on one Wallet Server (profile §29, mass changes): a
 * CredentialLifecycleBatchWorkflow pages through them; 202 with the batch id to follow it by.
 * `requestId` names the batch, so a retried request attaches to the batch it started.
 */
function manageWalletServer(deps: BatchDeps): AdminMiddleware {
  return async (ctx) => {
    const request = validatedBody(ctx, IssuerLifecycleRequest);
    const tenantId = ctx.params.tenantId as string;
    if (!(await deps.tenants.findById(tenantId))) throw problems.walletServerNotFound();
    const batchId = request.requestId ?? randomUUID();
    await deps.lifecycleBatches.start({
      batchId,
      tenantId,
      action: request.action,
      ...(request.reason ? { reason: request.reason } : {}),
      pageSize: batchPageSize,
    });
    ctx.state.auditTarget = { tenantId, action: request.action, batchId };
    ctx.status = 202;
    ctx.body = { batchId };
  };
}

function batchProgress(deps: BatchDeps): AdminMiddleware {
  return async (ctx) => {
    const progress = await deps.lifecycleBatches.progress(ctx.params.batchId as string);
    if (!progress) throw problems.lifecycleBatchNotFound();
    ctx.body = progress;
  };
}

/** POST /admin/wallet-servers/{tenantId}/lifecycle (profile §29): every instance on the Wallet Server. */
export const manageWalletServerCredentialsRoute: AdminRoute<BatchDeps> = {
  method: 'POST',
  path: '/wallet-servers/:tenantId/lifecycle',
  caller: AdminCaller.backOffice,
  steps: (deps) => [parseJsonBody(adminBodyLimitBytes), validateBody(IssuerLifecycleRequest), manageWalletServer(deps)],
};

/** GET /admin/lifecycle-batches/{batchId} (profile §29): how far a mass change has come. */
export const lifecycleBatchProgressRoute: AdminRoute<BatchDeps> = {
  method: 'GET',
  path: '/lifecycle-batches/:batchId',
  caller: AdminCaller.backOffice,
  steps: (deps) => [batchProgress(deps)],
};
