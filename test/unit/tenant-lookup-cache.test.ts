import { cacheTenantLookups, type Tenant } from '../../store/tenants';

describe('cached tenant lookups (notifications)', () => {
  it('reads a tenant once per TTL, and does not remember a tenant that is not registered yet', async () => {
    let now = 0;
    const reads: string[] = [];
    const registered = new Map<string, Tenant>();
    const cached = cacheTenantLookups({ findById: async (id) => (reads.push(id), registered.get(id) ?? null) }, 1000, () => now);

    expect(await cached.findById('t1')).toBeNull();
    registered.set('t1', { _id: 't1', name: 'w', notificationBaseUrl: 'https://one.example' } as Tenant);
    expect(await cached.findById('t1')).toMatchObject({ notificationBaseUrl: 'https://one.example' });
    registered.set('t1', { _id: 't1', name: 'w', notificationBaseUrl: 'https://two.example' } as Tenant);
    now = 999;
    expect(await cached.findById('t1')).toMatchObject({ notificationBaseUrl: 'https://one.example' });
    now = 1001;
    expect(await cached.findById('t1')).toMatchObject({ notificationBaseUrl: 'https://two.example' });
    expect(reads).toEqual(['t1', 't1', 't1']);
  });
});
