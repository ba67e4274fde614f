import { heartbeat } from '@temporalio/activity';
import type { CredentialLifecycleWorkflows } from '../clients/temporal/credential-lifecycle-workflows';
import type { IssuerAction, ManageOutcome } from '../domain/credential-lifecycle';
import type { CredentialInstanceRepository } from '../store/credential-instances';
import { countBy, mapInGroups } from '../domain/grouped-map';

export interface CredentialBatchActivityDeps {
  instances: Pick<CredentialInstanceRepository, 'listTenantInstanceIds' | 'listConfigurationInstances'>;
  lifecycles: Pick<CredentialLifecycleWorkflows, 'manage' | 'displayDataUpdated'>;
  /** Lifecycle Updates in flight at once within one page. */
  concurrency?: number;
}

/** Activities of the CredentialLifecycleBatchWorkflow (profile §29, mass changes). */
export function createCredentialBatchActivities(deps: CredentialBatchActivityDeps) {
  const concurrency = deps.concurrency ?? 8;
  return {
    /** The next `limit` instance ids of the tenant after `after`, in id order. */
    listTenantInstances(input: { tenantId: string; after?: string; limit: number }): Promise<string[]> {
      return deps.instances.listTenantInstanceIds(input.tenantId, input.after, input.limit);
    },

    /** The next `limit` instances of a configuration, on every Wallet Server, after the key `after` (their _id order). */
    listConfigurationInstances(input: { credentialConfigurationId: string; after?: string; limit: number }) {
      return deps.instances.listConfigurationInstances(input.credentialConfigurationId, input.after, input.limit);
    },

    /** Signals each instance that its configuration's display data changed (it tells its Wallet Server once per version). */
    async tellDisplayDataUpdated(input: {
      instances: { tenantId: string; credentialInstanceId: string }[];
      credentialMetadataVersion: string;
    }): Promise<Partial<Record<'NOTIFIED' | 'ENDED', number>>> {
      const signalled = await mapInGroups(
        input.instances,
        concurrency,
        (ref) => deps.lifecycles.displayDataUpdated(ref, input.credentialMetadataVersion),
        heartbeat,
      );
      return countBy(signalled.map((running) => (running ? ('NOTIFIED' as const) : ('ENDED' as const))));
    },

    /**
     * The issuer's `action` on each instance (its lifecycle Update, id `manage-<requestId>`, so a
     * page taken again answers from the first execution). Counts by outcome; ENDED for an
     * instance whose lifecycle has ended (its record is final).
     */
    async manageInstances(input: {
      tenantId: string;
      credentialInstanceIds: string[];
      action: IssuerAction;
      reason?: string;
      requestId: string;
    }): Promise<Partial<Record<ManageOutcome | 'ENDED', number>>> {
      const results = await mapInGroups(
        input.credentialInstanceIds,
        concurrency,
        (credentialInstanceId) =>
          deps.lifecycles.manage(
            { tenantId: input.tenantId, credentialInstanceId },
            { actor: 'ISSUER', action: input.action, requestId: input.requestId, ...(input.reason ? { reason: input.reason } : {}) },
          ),
        heartbeat,
      );
      return countBy(results.map((result) => result?.outcome ?? ('ENDED' as const)));
    },
  };
}
export type CredentialBatchActivities = ReturnType<typeof createCredentialBatchActivities>;
