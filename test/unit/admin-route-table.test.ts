import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import pino from 'pino';
import { buildAdminRouter, type AdminDeps } from '../../api/admin/app';
import { adminRoutes } from '../../api/admin';
import { AdminCaller, type AdminRoute, type AdminState } from '../../api/admin/route';
import { renderProblems } from '../../api/middleware/problem-details';

/** Only what building the router touches; the repositories are never reached by these tests. */
const deps = { logger: pino({ level: 'silent' }), claimMs: 60_000, issuerUrl: 'https://issuer.example' } as unknown as AdminDeps;

describe('the admin route table (api/admin/index.ts)', () => {
  it('names the caller of every admin route, grouped by caller', () => {
    expect(adminRoutes.map((r) => [r.caller, r.method, r.path])).toEqual([
      [AdminCaller.reviewer, 'GET', '/review-cases'],
      [AdminCaller.reviewer, 'POST', '/review-cases/:caseId/claim'],
      [AdminCaller.reviewer, 'GET', '/review-cases/:caseId/evidence'],
      [AdminCaller.reviewer, 'POST', '/review-cases/:caseId/decision'],
      [AdminCaller.reviewer, 'GET', '/review-cases/:caseId/audit'],
      [AdminCaller.backOffice, 'POST', '/credential-offers'],
      [AdminCaller.backOffice, 'POST', '/one-time-codes'],
      [AdminCaller.backOffice, 'POST', '/holders/:holderAccountId/data-changed'],
      [AdminCaller.backOffice, 'POST', '/credential-instances/:tenantId/:credentialInstanceId/lifecycle'],
      [AdminCaller.backOffice, 'POST', '/holders/:holderAccountId/lifecycle'],
      [AdminCaller.backOffice, 'POST', '/credential-instances/:tenantId/:credentialInstanceId/reconcile'],
      [AdminCaller.backOffice, 'POST', '/wallet-servers/:tenantId/lifecycle'],
      [AdminCaller.backOffice, 'GET', '/lifecycle-batches/:batchId'],
      [AdminCaller.issuerSignIn, 'POST', '/issuer-authentications'],
      [AdminCaller.provider, 'POST', '/verdicts'],
    ]);
  });

  it('every caller has routes, and every route a known caller', () => {
    const callers = new Set(adminRoutes.map((r) => r.caller));
    expect([...callers].sort()).toEqual(Object.values(AdminCaller).sort());
  });

  it('the router registers each route of the table under /admin, once, with its method', () => {
    const layers = buildAdminRouter(deps).stack.map((l) => [l.methods.filter((m) => m !== 'HEAD'), l.path]);
    expect(layers).toEqual(adminRoutes.map((r) => [[r.method], `/admin${r.path}`]));
  });

  it('a route added to the table is served by the router with its path parameters', async () => {
    const probe: AdminRoute<AdminDeps> = {
      method: 'GET',
      path: '/probe/:name',
      caller: AdminCaller.backOffice,
      steps: () => [
        async (ctx) => {
          ctx.body = { name: ctx.params.name, caller: ctx.state.admin.id };
        },
      ],
    };
    const app = new Koa<AdminState>();
    app.use(renderProblems(deps.logger) as unknown as Koa.Middleware<AdminState>);
    app.use(async (ctx, next) => {
      ctx.state.admin = { id: 'back-office-1', role: AdminCaller.backOffice };
      await next();
    });
    app.use(buildAdminRouter(deps, [...adminRoutes, probe]).routes());
    const server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const response = await fetch(`${base}/admin/probe/x1`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ name: 'x1', caller: 'back-office-1' });
      expect((await fetch(`${base}/probe/x1`)).status).toBe(404);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the role check of the admin router (profile §16 Admin credentials)', () => {
  /** Serves the real table with every request authenticated as `role`; nothing past the role check is reached. */
  async function withRole<T>(role: AdminCaller, run: (base: string) => Promise<T>): Promise<T> {
    const app = new Koa<AdminState>();
    app.use(renderProblems(deps.logger) as unknown as Koa.Middleware<AdminState>);
    app.use(async (ctx, next) => {
      ctx.state.admin = { id: `someone-${role}`, role, ...(role === AdminCaller.provider ? { provider: 'p' } : {}) };
      await next();
    });
    app.use(buildAdminRouter(deps).routes());
    const server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      return await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  it.each(Object.values(AdminCaller))('refuses a %s credential with 403 on every route of another caller', async (role) => {
    const refused = await withRole(role, async (base) => {
      const answers: [string, number, string][] = [];
      for (const route of adminRoutes.filter((r) => r.caller !== role)) {
        const response = await fetch(`${base}/admin${route.path.replace(':caseId', 'case-1')}`, {
          method: route.method,
          ...(route.method === 'POST' ? { headers: { 'Content-Type': 'application/json' }, body: '{}' } : {}),
        });
        answers.push([route.path, response.status, ((await response.json()) as { type: string }).type]);
      }
      return answers;
    });
    expect(refused.length).toBeGreaterThan(0);
    for (const [, status, type] of refused) {
      expect(status).toBe(403);
      expect(type).toBe('urn:s2s-issuer:problem:admin-role-forbidden');
    }
  });
});
