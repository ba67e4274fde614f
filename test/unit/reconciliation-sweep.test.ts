import { createReconciliationActivities, type ReconciliationDeps } from '../../activities/reconciliation-activities';

/** The sweep's paging and what it skips (activities/reconciliation-activities.ts, profile §29). */
function sweepWith(instances: { key: string; tenantId: string; credentialInstanceId: string }[], deregistered: string[]) {
  let cursor: string | undefined;
  const signalled: string[] = [];
  const deps = {
    credentialInstances: {
      listLiveInstances: async (after: string | undefined, limit: number) => instances.filter((i) => after === undefined || i.key > after).slice(0, limit),
    },
    sweepCursors: {
      get: async () => cursor,
      set: async (_name: string, after: string | undefined) => {
        cursor = after;
      },
    },
    tenants: {
      findById: async (tenantId: string) => ({ _id: tenantId, ...(deregistered.includes(tenantId) ? { deregisteredAt: new Date() } : {}) }),
    },
    credentialLifecycles: {
      reconcile: async (ref: { credentialInstanceId: string }) => {
        signalled.push(ref.credentialInstanceId);
        return true;
      },
    },
  } as unknown as ReconciliationDeps;
  const { sweepCredentialInstances } = createReconciliationActivities(deps);
  return { sweep: (limit: number) => sweepCredentialInstances({ limit, passId: 'pass-1' }), signalled, cursor: () => cursor };
}

describe('the reconciliation sweep', () => {
  const instances = ['a/1', 'a/2', 'b/1', 'c/1'].map((key) => ({ key, tenantId: key.split('/')[0] as string, credentialInstanceId: key }));

  it('pages in key order, goes on from the first after the last, and asks no instance twice in a pass', async () => {
    const { sweep, signalled, cursor } = sweepWith(instances, []);
    expect(await sweep(3)).toBe(3);
    expect(signalled).toEqual(['a/1', 'a/2', 'b/1']);
    expect(cursor()).toBe('b/1');
    // c/1, then from the first again up to where the pass started.
    expect(await sweep(3)).toBe(3);
    expect(signalled.slice(3)).toEqual(['c/1', 'a/1', 'a/2']);
    // A pass that covered everything starts the next one at the beginning.
    expect(await sweep(10)).toBe(4);
    expect(cursor()).toBeUndefined();
  });

  it('passes over the instances of a deregistered Wallet Server, and still moves on', async () => {
    const { sweep, signalled, cursor } = sweepWith(instances, ['b']);
    expect(await sweep(3)).toBe(2);
    expect(signalled).toEqual(['a/1', 'a/2']);
    expect(cursor()).toBe('b/1');
  });
});
