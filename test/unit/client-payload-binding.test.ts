import { checkClientPayloadBinding, type ClientPayloadBinding } from '../../domain/client-payload-binding';

const now = Date.parse('2026-12-01T12:00:00Z');
const nowSeconds = now / 1000;
const window = { now, iatWindowMs: 300_000 };
const sessionId = '5b0b8a5e-7e4c-4f49-9a3c-1f1b6f9e2d10';
const verificationA = '11111111-1111-4111-8111-111111111111';
const verificationB = '22222222-2222-4222-8222-222222222222';

const check = (claims: Record<string, unknown>, expected: ClientPayloadBinding) => checkClientPayloadBinding(claims, expected, window);

describe('binding a Client Encrypted Payload to its request (profile §11)', () => {
  it('accepts an initiate payload naming the sessionId, with a current iat', () => {
    expect(check({ id: 'c', sessionId, iat: nowSeconds }, { sessionId })).toEqual({ bound: true });
  });

  it('accepts a supplement payload naming the sessionId and the verificationId', () => {
    expect(check({ sessionId, verificationId: verificationA, iat: nowSeconds - 10 }, { sessionId, verificationId: verificationA })).toEqual({ bound: true });
  });

  it('refuses a supplement payload made for another verification of the same session', () => {
    expect(check({ sessionId, verificationId: verificationA, iat: nowSeconds }, { sessionId, verificationId: verificationB })).toMatchObject({
      bound: false,
      claim: 'verificationId',
    });
  });

  it('refuses an initiate payload in a supplement (no verificationId) and a supplement payload in an initiate', () => {
    expect(check({ sessionId, iat: nowSeconds }, { sessionId, verificationId: verificationA })).toMatchObject({ bound: false, claim: 'verificationId' });
    expect(check({ sessionId, verificationId: verificationA, iat: nowSeconds }, { sessionId })).toMatchObject({ bound: false, claim: 'verificationId' });
  });

  it('refuses a first initiate’s payload in a re-verification, and a re-verification’s payload of another verification', () => {
    expect(check({ sessionId, iat: nowSeconds }, { sessionId, previousVerificationId: verificationA })).toMatchObject({
      bound: false,
      claim: 'previousVerificationId',
    });
    expect(check({ sessionId, previousVerificationId: verificationA, iat: nowSeconds }, { sessionId, previousVerificationId: verificationB })).toMatchObject({
      bound: false,
      claim: 'previousVerificationId',
    });
    expect(check({ sessionId, previousVerificationId: verificationA, iat: nowSeconds }, { sessionId, previousVerificationId: verificationA })).toEqual({
      bound: true,
    });
  });

  it('refuses a payload for another session, or without sessionId', () => {
    expect(check({ sessionId: verificationA, iat: nowSeconds }, { sessionId })).toMatchObject({ bound: false, claim: 'sessionId' });
    expect(check({ iat: nowSeconds }, { sessionId })).toMatchObject({ bound: false, claim: 'sessionId' });
  });

  it('refuses a payload without iat, or with an iat that is not a number', () => {
    expect(check({ sessionId }, { sessionId })).toMatchObject({ bound: false, claim: 'iat' });
    expect(check({ sessionId, iat: String(nowSeconds) }, { sessionId })).toMatchObject({ bound: false, claim: 'iat' });
  });

  it('accepts iat up to the window either way and refuses it beyond', () => {
    expect(check({ sessionId, iat: nowSeconds - 300 }, { sessionId })).toEqual({ bound: true });
    expect(check({ sessionId, iat: nowSeconds + 300 }, { sessionId })).toEqual({ bound: true });
    expect(check({ sessionId, iat: nowSeconds - 301 }, { sessionId })).toMatchObject({ bound: false, claim: 'iat' });
    expect(check({ sessionId, iat: nowSeconds + 301 }, { sessionId })).toMatchObject({ bound: false, claim: 'iat' });
  });

  it('honours exp and nbf when the payload carries them', () => {
    expect(check({ sessionId, iat: nowSeconds, exp: nowSeconds - 1 }, { sessionId })).toMatchObject({ bound: false, claim: 'exp' });
    expect(check({ sessionId, iat: nowSeconds, exp: nowSeconds + 60 }, { sessionId })).toEqual({ bound: true });
    expect(check({ sessionId, iat: nowSeconds, nbf: nowSeconds + 3600 }, { sessionId })).toMatchObject({ bound: false, claim: 'nbf' });
    expect(check({ sessionId, iat: nowSeconds, nbf: nowSeconds }, { sessionId })).toEqual({ bound: true });
  });
});
