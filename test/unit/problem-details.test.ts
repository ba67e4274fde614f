import pino from 'pino';
import type { ApiContext } from '../../api/context';
import { renderProblems } from '../../api/middleware/problem-details';
import { problems, ProblemType } from '../../domain/problems';

function fakeContext() {
  const headers: Record<string, string> = {};
  const ctx = {
    method: 'POST',
    path: '/verification/status',
    status: 404,
    body: undefined as unknown,
    type: '',
    state: {},
    set(name: string | Record<string, string>, value?: string) {
      if (typeof name === 'string') headers[name] = value ?? '';
      else Object.assign(headers, name);
    },
  };
  return { ctx: ctx as unknown as ApiContext & typeof ctx, headers };
}

const silent = pino({ level: 'silent' });

describe('renderProblems (RFC 9457)', () => {
  it('renders a ProblemError with its type, title, status, detail, headers and an instance URI', async () => {
    const { ctx, headers } = fakeContext();
    await renderProblems(silent)(ctx, async () => {
      throw problems.unsupportedApiVersion('Api-Version 9.0.0 is not supported', ['1.0.0']);
    });
    expect(ctx.status).toBe(400);
    expect(ctx.type).toBe('application/problem+json');
    expect(JSON.parse(ctx.body as string)).toEqual({
      type: ProblemType.unsupportedApiVersion,
      title: 'Unsupported API version',
      status: 400,
      detail: 'Api-Version 9.0.0 is not supported',
      instance: expect.stringMatching(/^urn:uuid:[0-9a-f-]{36}$/),
    });
    expect(headers['Api-Supported-Versions']).toBe('1.0.0');
    expect(headers['Api-Version']).toBe('1.0.0');
  });

  it('turns an unexpected error into a 500 without its message or stack', async () => {
    const { ctx } = fakeContext();
    await renderProblems(silent)(ctx, async () => {
      throw new Error('connection string mongodb://secret@db');
    });
    expect(ctx.status).toBe(500);
    const body = ctx.body as string;
    expect(JSON.parse(body)).toMatchObject({ type: ProblemType.internal, status: 500 });
    expect(body).not.toContain('secret');
    expect(body).not.toContain('at ');
  });

  it('advertises Api-Version and Api-Supported-Versions on a successful response too', async () => {
    const { ctx, headers } = fakeContext();
    await renderProblems(silent)(ctx, async () => {
      ctx.status = 200;
      ctx.body = '{}';
    });
    expect(ctx.status).toBe(200);
    expect(headers['Api-Version']).toBe('1.0.0');
    expect(headers['Api-Supported-Versions']).toBe('1.0.0');
  });

  it('turns an unmatched route into a 404 problem', async () => {
    const { ctx } = fakeContext();
    await renderProblems(silent)(ctx, async () => undefined);
    expect(JSON.parse(ctx.body as string)).toMatchObject({ type: ProblemType.notFound, status: 404 });
  });

  it('marks transient problems retryable', () => {
    expect(problems.serviceUnavailable('down').toBody()).toMatchObject({ retryable: true });
    expect(problems.requestInProgress().toBody()).toMatchObject({ retryable: true });
    expect(problems.sessionNotFound().toBody().retryable).toBeUndefined();
  });

  it("uses a distinct type URI per problem, the draft's two among them", () => {
    const types = Object.values(ProblemType);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toEqual(expect.arrayContaining(['urn:openid:dcp:s2s:invalid_encryption', 'urn:openid:dcp:s2s:invalid_client_authentication']));
  });
});
