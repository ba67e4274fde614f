import { requestFor } from '../../cli/credential-lifecycle';

/** `npm run credential-lifecycle`: what each invocation asks the admin API (profile §29). */
describe('credential-lifecycle command', () => {
  it('maps each target to its admin route, with the action, reason and request id as the body', () => {
    expect(requestFor({ action: 'SUSPEND', instance: 'tenant-1/instance-1', reason: 'fraud_check' })).toEqual({
      method: 'POST',
      path: '/admin/credential-instances/tenant-1/instance-1/lifecycle',
      body: { action: 'SUSPEND', reason: 'fraud_check' },
    });
    expect(requestFor({ action: 'CANCEL', holder: 'holder 7' })).toEqual({
      method: 'POST',
      path: '/admin/holders/holder%207/lifecycle',
      body: { action: 'CANCEL' },
    });
    expect(requestFor({ action: 'CANCEL', 'wallet-server': 'tenant-1', 'request-id': 'b1' })).toEqual({
      method: 'POST',
      path: '/admin/wallet-servers/tenant-1/lifecycle',
      body: { action: 'CANCEL', requestId: 'b1' },
    });
    expect(requestFor({ batch: 'b1' })).toEqual({ method: 'GET', path: '/admin/lifecycle-batches/b1' });
    expect(requestFor({ reconcile: 'tenant-1/instance-1' })).toEqual({ method: 'POST', path: '/admin/credential-instances/tenant-1/instance-1/reconcile' });
  });

  it('refuses no target, two targets, an action the issuer does not have, and a malformed instance', () => {
    expect(requestFor({ action: 'SUSPEND' })).toBeUndefined();
    expect(requestFor({ action: 'SUSPEND', holder: 'h', 'wallet-server': 't' })).toBeUndefined();
    expect(requestFor({ action: 'UNLINK', holder: 'h' })).toBeUndefined();
    expect(requestFor({ holder: 'h' })).toBeUndefined();
    expect(requestFor({ action: 'SUSPEND', instance: 'no-slash' })).toBeUndefined();
    expect(requestFor({ action: 'SUSPEND', instance: 'a/b/c' })).toBeUndefined();
  });
});
