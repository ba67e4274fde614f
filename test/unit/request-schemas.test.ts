import { randomUUID } from 'node:crypto';
import type { ApiContext } from '../../api/context';
import { validateBody } from '../../api/middleware/validate-body';
import { ProblemError } from '../../domain/problems';
import {
  CancelVerificationRequest,
  InitiateVerificationRequest,
  SupplementVerificationRequest,
  VerificationStatusRequest,
} from '../../domain/schemas/verification';
import { approvableInitiate } from '../support/wallet-requests';

async function validate(schema: Parameters<typeof validateBody>[0], body: unknown): Promise<{ body?: unknown; problem?: ProblemError }> {
  const ctx = { request: { body }, state: {} } as unknown as ApiContext;
  try {
    await validateBody(schema)(ctx, async () => undefined);
    return { body: ctx.state.body };
  } catch (error) {
    if (error instanceof ProblemError) return { problem: error };
    throw error;
  }
}

describe('InitiateVerificationRequest (S2S §Verification Initiate)', () => {
  it('accepts a complete request and defaults requestedDeviceCount to 1', async () => {
    const { body, problem } = await validate(InitiateVerificationRequest, await approvableInitiate());
    expect(problem).toBeUndefined();
    expect(body).toMatchObject({ requestedDeviceCount: 1 });
  });

  it('accepts unknown members inside extensions (S2S §Extensions)', async () => {
    const request = { ...(await approvableInitiate()), extensions: { 'com.example.x': 1 } };
    expect((await validate(InitiateVerificationRequest, request)).problem).toBeUndefined();
  });

  it('refuses an unknown top-level member with a pointer at the member (profile §6)', async () => {
    const { problem } = await validate(InitiateVerificationRequest, { ...(await approvableInitiate()), futureField: true });
    expect(problem?.type).toBe('urn:s2s-issuer:problem:invalid-request');
    expect(problem?.status).toBe(400);
    expect(problem?.validationErrors).toEqual([{ pointer: '/futureField', message: expect.stringContaining('unknown members are refused') }]);
  });

  it('refuses unknown members of the nested closed objects, one error each, escaping the pointer (RFC 6901)', async () => {
    const request = await approvableInitiate();
    const { problem } = await validate(InitiateVerificationRequest, {
      ...request,
      walletSigningKeyData: { ...request.walletSigningKeyData, 'a/b~c': 1 },
      verificationData: {
        serverVerificationDataItem: request.verificationData?.serverVerificationDataItem,
        clientEncryptedPayload: [{ jwe: 'a.b.c.d.e', origin: 'WALLET_CLIENT', note: 'x' }],
        unknownList: [],
      },
    });
    expect(problem?.validationErrors?.map((e) => e.pointer).sort()).toEqual(
      ['/verificationData/clientEncryptedPayload/0/note', '/verificationData/unknownList', '/walletSigningKeyData/a~1b~0c'].sort(),
    );
  });

  it('leaves open what the draft leaves open: type-specific item members, additionalAssessments, JWK members (RFC 7517 §4)', async () => {
    const request = await approvableInitiate();
    const { problem } = await validate(InitiateVerificationRequest, {
      ...request,
      walletSigningKeyData: { ...request.walletSigningKeyData, client_public_key: { ...request.walletSigningKeyData.client_public_key, use: 'sig' } },
      verificationData: {
        serverVerificationDataItem: [{ id: 'r', type: 'urn:example:risk', riskScore: 0.1, deviceIntegrity: 'PASS' }],
        additionalAssessments: [{ vendor: 'x', score: 3 }],
      },
    });
    expect(problem).toBeUndefined();
  });

  it('reports every violation with a JSON pointer', async () => {
    const { problem } = await validate(InitiateVerificationRequest, {
      sessionId: 'urn:uuid:5b0b8a5e-7e4c-4f49-9a3c-1f1b6f9e2d10',
      credentialConfigurationIds: ['a', 'a'],
      walletSigningKeyData: { keyType: 'WALLET_SIGNING_KEY', client_public_key: { kty: 'EC' } },
      verificationNonce: 'x'.repeat(1025),
      requestedDeviceCount: 0,
    });
    expect(problem?.status).toBe(400);
    expect(problem?.validationErrors?.map((e) => e.pointer).sort()).toEqual(
      ['/credentialConfigurationIds', '/requestedDeviceCount', '/sessionId', '/verificationNonce', '/walletSigningKeyData/client_public_key/alg'].sort(),
    );
  });

  // Profile §5: a malformed nonce is a failed client authentication, decided by the nonce check.
  it.each([
    ['padding', 'AAAA=='],
    ['standard base64 characters', 'ab+/cd'],
    ['dots', 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln'],
    ['spaces', 'has spaces'],
  ])('leaves a nonce with %s to the nonce check instead of refusing it as a schema violation', async (_label, verificationNonce) => {
    const { problem } = await validate(InitiateVerificationRequest, { ...(await approvableInitiate()), verificationNonce });
    expect(problem).toBeUndefined();
  });

  it('refuses an empty or unbounded nonce as a schema violation', async () => {
    for (const verificationNonce of ['', 'A'.repeat(1025), 42]) {
      const { problem } = await validate(InitiateVerificationRequest, { ...(await approvableInitiate()), verificationNonce });
      expect(problem?.validationErrors?.map((e) => e.pointer)).toEqual(['/verificationNonce']);
    }
  });

  it('refuses a body that is not an object', async () => {
    const { problem } = await validate(InitiateVerificationRequest, [1, 2]);
    expect(problem?.validationErrors).toEqual([{ pointer: '', message: 'must be object' }]);
  });

  it('bounds list sizes so a request cannot carry unbounded work', async () => {
    const request = await approvableInitiate();
    const items = Array.from({ length: 33 }, (_, i) => ({ id: String(i), type: 'x' }));
    const { problem } = await validate(InitiateVerificationRequest, { ...request, verificationData: { serverVerificationDataItem: items } });
    expect(problem?.validationErrors?.[0]?.pointer).toBe('/verificationData/serverVerificationDataItem');
  });
});

describe('VerificationStatusRequest (S2S §Get Verification Status)', () => {
  it('requires both identifiers as UUIDs', async () => {
    expect((await validate(VerificationStatusRequest, { sessionId: randomUUID(), verificationId: randomUUID() })).problem).toBeUndefined();
    const { problem } = await validate(VerificationStatusRequest, { sessionId: randomUUID() });
    expect(problem?.validationErrors).toEqual([{ pointer: '/verificationId', message: 'is required' }]);
  });

  it.each([
    ['VerificationStatusRequest', VerificationStatusRequest, {}],
    ['SupplementVerificationRequest', SupplementVerificationRequest, { verificationDataPayload: { serverVerificationDataItem: [{ id: 'a', type: 'b' }] } }],
    ['CancelVerificationRequest', CancelVerificationRequest, { reason: 'USER' }],
  ] as const)('%s refuses an unknown member', async (_name, schema, rest) => {
    const body = { sessionId: randomUUID(), verificationId: randomUUID(), ...rest };
    expect((await validate(schema, body)).problem).toBeUndefined();
    expect((await validate(schema, { ...body, verificationState: 'APPROVED' })).problem?.validationErrors).toEqual([
      { pointer: '/verificationState', message: expect.stringContaining('unknown members are refused') },
    ]);
  });
});
