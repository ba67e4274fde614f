import type { Connection } from '@temporalio/client';
import { assertSearchAttributesRegistered } from '../../clients/temporal/search-attributes';

/** Where the connection may not list a namespace's search attributes (Temporal Cloud), a process starts with a warning. */
describe('assertSearchAttributesRegistered', () => {
  it('warns and goes on when the attributes cannot be listed', async () => {
    const refused = Object.assign(new Error('7 PERMISSION_DENIED: Request unauthorized.'), { code: 7 });
    const connection = { operatorService: { listSearchAttributes: () => Promise.reject(refused) } } as unknown as Connection;
    const warnings: string[] = [];
    await assertSearchAttributesRegistered(connection, 'issuer.a1b2c', (message) => warnings.push(message));
    expect(warnings).toEqual(['could not list the search attributes of namespace issuer.a1b2c (7 PERMISSION_DENIED: Request unauthorized.); not checked']);
  });
});
