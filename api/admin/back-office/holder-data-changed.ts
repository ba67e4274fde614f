import type { AdminDeps } from '../app';
import { AdminCaller, type AdminMiddleware, type AdminRoute } from '../route';

type Deps = Pick<AdminDeps, 'credentialInstances' | 'lifecycle'>;

/** Most instances one call wakes; a holder has a handful (one per configuration and device). */
const maxInstancesPerHolder = 200;

/**
 * The issuer's records of a holder changed (a card left production, a review after approval
 * ended): every credential instance of that holder looks at its data again now, instead of at
 * its next timer (profile §25, deferred issuance). A deferred get then ends with
 * CREDENTIAL_READY; an instance that is not waiting ignores it. The signal carries no data.
 */
function holderDataChanged(deps: Deps): AdminMiddleware {
  return async (ctx) => {
    const holderAccountId = ctx.params.holderAccountId as string;
    const instances = await deps.credentialInstances.findByHolder(holderAccountId, maxInstancesPerHolder);
    await Promise.all(instances.map((instance) => deps.lifecycle.holderDataChanged(instance)));
    // Counts only: the audit trail names no holder account (profile §16).
    ctx.state.auditTarget = { instances: instances.length };
    ctx.status = 202;
    ctx.body = { instances: instances.length };
  };
}

/** POST /admin/holders/{holderAccountId}/data-changed (profile §25). */
export const holderDataChangedRoute: AdminRoute<Deps> = {
  method: 'POST',
  path: '/holders/:holderAccountId/data-changed',
  caller: AdminCaller.backOffice,
  steps: (deps) => [holderDataChanged(deps)],
};
