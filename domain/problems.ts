/**
 * Every error a client can receive is a ProblemError (RFC 9457). Handlers throw them;
 * api/middleware/problem-details.ts is the single place that renders them.
 * The catalogue below is mirrored in docs/profile.md §Errors.
 */

/** Draft-defined types (S2S §Error Types) and our own, collision-resistant ones. */
export const ProblemType = {
  // S2S §Error Types
  invalidEncryption: 'urn:openid:dcp:s2s:invalid_encryption',
  invalidClientAuthentication: 'urn:openid:dcp:s2s:invalid_client_authentication',
  // Profile-defined
  invalidRequest: 'urn:s2s-issuer:problem:invalid-request',
  malformedJson: 'urn:s2s-issuer:problem:malformed-json',
  unsupportedMediaType: 'urn:s2s-issuer:problem:unsupported-media-type',
  payloadTooLarge: 'urn:s2s-issuer:problem:payload-too-large',
  unsupportedApiVersion: 'urn:s2s-issuer:problem:unsupported-api-version',
  invalidRequestId: 'urn:s2s-issuer:problem:invalid-request-id',
  requestIdReused: 'urn:s2s-issuer:problem:request-id-reused',
  requestInProgress: 'urn:s2s-issuer:problem:request-in-progress',
  rateLimited: 'urn:s2s-issuer:problem:rate-limited',
  tooManyOpenVerifications: 'urn:s2s-issuer:problem:too-many-open-verifications',
  unknownClient: 'urn:s2s-issuer:problem:unknown-client',
  sessionNotFound: 'urn:s2s-issuer:problem:session-not-found',
  sessionAlreadyUsed: 'urn:s2s-issuer:problem:session-already-used',
  verificationFinal: 'urn:s2s-issuer:problem:verification-final',
  reverificationNotAllowed: 'urn:s2s-issuer:problem:reverification-not-allowed',
  verificationNotAwaitingData: 'urn:s2s-issuer:problem:verification-not-awaiting-data',
  unknownCredentialConfiguration: 'urn:s2s-issuer:problem:unknown-credential-configuration',
  notFound: 'urn:s2s-issuer:problem:not-found',
  unauthenticatedAdmin: 'urn:s2s-issuer:problem:unauthenticated-admin',
  adminRoleForbidden: 'urn:s2s-issuer:problem:admin-role-forbidden',
  adminAuthenticationThrottled: 'urn:s2s-issuer:problem:admin-authentication-throttled',
  consoleFormExpired: 'urn:s2s-issuer:problem:console-form-expired',
  verdictNotRequested: 'urn:s2s-issuer:problem:verdict-not-requested',
  verificationNotPending: 'urn:s2s-issuer:problem:verification-not-pending',
  reviewCaseNotFound: 'urn:s2s-issuer:problem:review-case-not-found',
  walletServerNotFound: 'urn:s2s-issuer:problem:wallet-server-not-found',
  lifecycleBatchNotFound: 'urn:s2s-issuer:problem:lifecycle-batch-not-found',
  reviewCaseUnavailable: 'urn:s2s-issuer:problem:review-case-unavailable',
  authenticationHandleUnavailable: 'urn:s2s-issuer:problem:authentication-handle-unavailable',
  methodNotAllowed: 'urn:s2s-issuer:problem:method-not-allowed',
  statusListNotFound: 'urn:s2s-issuer:problem:status-list-not-found',
  // Credential endpoints (profile §25)
  verificationNotApproved: 'urn:s2s-issuer:problem:verification-not-approved',
  deviceLimitReached: 'urn:s2s-issuer:problem:device-limit-reached',
  holderNotKnown: 'urn:s2s-issuer:problem:holder-not-known',
  credentialInstanceNotFound: 'urn:s2s-issuer:problem:credential-instance-not-found',
  credentialInstanceClosed: 'urn:s2s-issuer:problem:credential-instance-closed',
  credentialInstanceSuspended: 'urn:s2s-issuer:problem:credential-instance-suspended',
  credentialDataUnavailable: 'urn:s2s-issuer:problem:credential-data-unavailable',
  credentialMetadataVersionNotFound: 'urn:s2s-issuer:problem:credential-metadata-version-not-found',
  contentNotFound: 'urn:s2s-issuer:problem:content-not-found',
  notAcceptable: 'urn:s2s-issuer:problem:not-acceptable',
  serviceUnavailable: 'urn:s2s-issuer:problem:service-unavailable',
  internal: 'urn:s2s-issuer:problem:internal-error',
} as const;
export type ProblemTypeUri = (typeof ProblemType)[keyof typeof ProblemType];

export interface ValidationError {
  /** JSON Pointer (RFC 6901) to the offending field; "" for the body itself. */
  pointer: string;
  message: string;
}

export interface ProblemBody {
  type: ProblemTypeUri;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  validationErrors?: ValidationError[];
  retryable?: boolean;
}

interface ProblemOptions {
  detail?: string;
  validationErrors?: ValidationError[];
  /** Extra response headers, e.g. Api-Supported-Versions or Retry-After. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class ProblemError extends Error {
  readonly headers: Record<string, string>;
  readonly validationErrors?: ValidationError[];

  constructor(
    readonly type: ProblemTypeUri,
    readonly title: string,
    readonly status: number,
    options: ProblemOptions = {},
  ) {
    super(options.detail ?? title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProblemError';
    this.headers = options.headers ?? {};
    if (options.validationErrors) this.validationErrors = options.validationErrors;
  }

  get retryable(): boolean {
    return this.status === 429 || this.status === 503 || this.type === ProblemType.requestInProgress;
  }

  toBody(instance?: string): ProblemBody {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.message !== this.title ? { detail: this.message } : {}),
      ...(instance ? { instance } : {}),
      ...(this.validationErrors ? { validationErrors: this.validationErrors } : {}),
      ...(this.retryable ? { retryable: true } : {}),
    };
  }
}

/** One constructor per problem, so call sites read as what went wrong. */
export const problems = {
  invalidRequest: (detail: string, validationErrors?: ValidationError[]) =>
    new ProblemError(ProblemType.invalidRequest, 'Invalid request', 400, { detail, ...(validationErrors ? { validationErrors } : {}) }),
  malformedJson: (detail = 'The request body is not valid JSON') => new ProblemError(ProblemType.malformedJson, 'Malformed JSON', 400, { detail }),
  unsupportedMediaType: (got: string | undefined) =>
    new ProblemError(ProblemType.unsupportedMediaType, 'Unsupported media type', 415, {
      detail: `Request bodies must be application/json (S2S §Transport), got ${got ? `"${got}"` : 'no Content-Type'}`,
    }),
  payloadTooLarge: (limit: number) =>
    new ProblemError(ProblemType.payloadTooLarge, 'Payload too large', 413, { detail: `Request bodies are limited to ${limit} bytes` }),
  unsupportedApiVersion: (detail: string, supported: readonly string[]) =>
    new ProblemError(ProblemType.unsupportedApiVersion, 'Unsupported API version', 400, {
      detail,
      headers: { 'Api-Supported-Versions': supported.join(', ') },
    }),
  invalidRequestId: (detail: string) => new ProblemError(ProblemType.invalidRequestId, 'Invalid x-request-id', 400, { detail }),
  requestIdReused: () =>
    new ProblemError(ProblemType.requestIdReused, 'x-request-id reused with a different request', 422, {
      detail: 'This x-request-id was already used for a request with a different method, path or body',
    }),
  requestInProgress: () =>
    new ProblemError(ProblemType.requestInProgress, 'Request with this x-request-id is still being processed', 409, {
      detail: 'Retry after the original request completes; its response will then be replayed',
      headers: { 'Retry-After': '1' },
    }),
  // S2S §Rate Limiting: 429 with Retry-After, which the Wallet Server must honour.
  rateLimited: (retryAfterSeconds: number) =>
    new ProblemError(ProblemType.rateLimited, 'Rate limit exceeded', 429, {
      detail: `This Wallet Server sends more requests than its quota allows; retry after ${retryAfterSeconds} s (S2S §Rate Limiting)`,
      headers: { 'Retry-After': String(retryAfterSeconds) },
    }),
  tooManyOpenVerifications: (max: number, retryAfterSeconds: number) =>
    new ProblemError(ProblemType.tooManyOpenVerifications, 'Too many open verifications', 429, {
      detail: `This Wallet Server already has ${max} verifications that have not ended; wait until some do (or cancel them) before starting another`,
      headers: { 'Retry-After': String(retryAfterSeconds) },
    }),
  unknownClient: () =>
    new ProblemError(ProblemType.unknownClient, 'Unknown client certificate', 401, {
      detail: 'The TLS client certificate is not registered to a Wallet Server, or no longer (revoked or deregistered)',
    }),
  sessionNotFound: () =>
    new ProblemError(ProblemType.sessionNotFound, 'Verification session not found', 404, {
      detail: 'No verification session with this sessionId and verificationId exists for this client',
    }),
  sessionAlreadyUsed: () =>
    new ProblemError(ProblemType.sessionAlreadyUsed, 'sessionId already used', 409, {
      detail: 'A sessionId can initiate a verification only once (S2S §Replay Protection)',
    }),
  verificationFinal: (status: string) =>
    new ProblemError(ProblemType.verificationFinal, 'Verification is final', 409, {
      detail: `The verification has ended (${status}); start a new one to continue`,
    }),
  reverificationNotAllowed: (status: string) =>
    new ProblemError(ProblemType.reverificationNotAllowed, 'Re-verification not allowed', 409, {
      detail: `A session is re-verified from its current verification once it ended DENIED or EXPIRED; that verification is ${status}`,
    }),
  verificationNotAwaitingData: (status: string) =>
    new ProblemError(ProblemType.verificationNotAwaitingData, 'Verification is not awaiting data', 409, {
      detail: `Supplements are accepted in ADDITIONAL_INFO_REQUIRED and REJECTED; the verification is ${status}`,
    }),
  invalidEncryption: (detail: string) => new ProblemError(ProblemType.invalidEncryption, 'Invalid encryption', 400, { detail }),
  invalidClientAuthentication: (detail: string) => new ProblemError(ProblemType.invalidClientAuthentication, 'Invalid client authentication', 400, { detail }),
  unknownCredentialConfiguration: (ids: string[]) =>
    new ProblemError(ProblemType.unknownCredentialConfiguration, 'Unknown credential configuration', 400, {
      detail: `Not offered by this issuer: ${ids.join(', ')}`,
    }),
  unauthenticatedAdmin: () =>
    new ProblemError(ProblemType.unauthenticatedAdmin, 'Admin authentication required', 401, {
      detail: 'Send Authorization: Bearer <admin token>; the token must be known and not expired',
      headers: { 'WWW-Authenticate': 'Bearer realm="s2s-issuer-admin"' },
    }),
  consoleFormExpired: () =>
    new ProblemError(ProblemType.consoleFormExpired, 'Form expired', 403, {
      detail: 'This form does not belong to your current console session (signed out, or opened elsewhere); open the page again',
    }),
  adminRoleForbidden: (role: string, required: string) =>
    new ProblemError(ProblemType.adminRoleForbidden, 'Not allowed for this credential', 403, {
      detail: `This endpoint is for the ${required} role; the credential's role is ${role}`,
    }),
  adminAuthenticationThrottled: (retryAfterSeconds: number) =>
    new ProblemError(ProblemType.adminAuthenticationThrottled, 'Too many failed authentications', 429, {
      detail: 'Too many failed authentications from this address; try again later',
      headers: { 'Retry-After': String(retryAfterSeconds) },
    }),
  verificationNotPending: (status: string) =>
    new ProblemError(ProblemType.verificationNotPending, 'Verification is not waiting for a verdict', 409, {
      detail: `A provider's verdict is accepted while the verification is PENDING; it is ${status}`,
    }),
  verdictNotRequested: (detail: string) => new ProblemError(ProblemType.verdictNotRequested, 'Verdict not requested from this provider', 403, { detail }),
  reviewCaseNotFound: () => new ProblemError(ProblemType.reviewCaseNotFound, 'Review case not found', 404),
  walletServerNotFound: () =>
    new ProblemError(ProblemType.walletServerNotFound, 'Wallet Server not found', 404, { detail: 'No Wallet Server is registered with this id' }),
  lifecycleBatchNotFound: () =>
    new ProblemError(ProblemType.lifecycleBatchNotFound, 'Lifecycle batch not found', 404, { detail: 'No lifecycle batch has this id' }),
  reviewCaseUnavailable: (detail: string) => new ProblemError(ProblemType.reviewCaseUnavailable, 'Review case unavailable', 409, { detail }),
  authenticationHandleUnavailable: (reason: string) =>
    new ProblemError(ProblemType.authenticationHandleUnavailable, 'Authentication handle unavailable', 409, { detail: `The handle is ${reason}` }),
  notFound: () => new ProblemError(ProblemType.notFound, 'Not found', 404, { detail: 'No such endpoint' }),
  verificationNotApproved: (status: string) =>
    new ProblemError(ProblemType.verificationNotApproved, 'Verification is not approved', 409, {
      detail: `Credentials are provisioned after an APPROVED verification (S2S §Provision Credential); the verification is ${status}`,
    }),
  deviceLimitReached: (authorizedDeviceCount: number) =>
    new ProblemError(ProblemType.deviceLimitReached, 'Device limit reached', 409, {
      detail: `This verification was approved for ${authorizedDeviceCount} device(s), and all are provisioned (S2S §APPROVED Status Fields)`,
    }),
  holderNotKnown: () =>
    new ProblemError(ProblemType.holderNotKnown, 'No holder record for this verification', 409, {
      detail: 'The approval names no single holder record of this issuer, so there is nothing to issue (profile §27)',
    }),
  credentialInstanceNotFound: () =>
    new ProblemError(ProblemType.credentialInstanceNotFound, 'Credential instance not found', 404, {
      detail: 'No credential instance with this credentialInstanceId exists in this session for this client',
    }),
  credentialInstanceClosed: (detail: string) => new ProblemError(ProblemType.credentialInstanceClosed, 'Credential instance closed', 409, { detail }),
  credentialInstanceSuspended: (status: string) =>
    new ProblemError(ProblemType.credentialInstanceSuspended, 'Credential instance suspended', 409, {
      detail: `The credential instance is ${status}; it issues again once resumed`,
    }),
  credentialDataUnavailable: (detail: string) => new ProblemError(ProblemType.credentialDataUnavailable, 'Credential data unavailable', 409, { detail }),
  credentialMetadataVersionNotFound: () =>
    new ProblemError(ProblemType.credentialMetadataVersionNotFound, 'Credential metadata version not found', 404, {
      detail: 'This issuer has no credential metadata of this version for the instance’s configuration',
    }),
  contentNotFound: () =>
    new ProblemError(ProblemType.contentNotFound, 'Content not found', 404, { detail: 'No content with this id for this client, or it expired' }),
  statusListNotFound: () => new ProblemError(ProblemType.statusListNotFound, 'Status list not found', 404, { detail: 'No status list with this id' }),
  notAcceptable: (offered: readonly string[]) =>
    new ProblemError(ProblemType.notAcceptable, 'Not acceptable', 406, { detail: `Available as ${offered.join(' or ')}` }),
  methodNotAllowed: (allowed: string[]) =>
    new ProblemError(ProblemType.methodNotAllowed, 'Method not allowed', 405, { headers: { Allow: allowed.join(', ') } }),
  serviceUnavailable: (detail: string, cause?: unknown) =>
    new ProblemError(ProblemType.serviceUnavailable, 'Service unavailable', 503, { detail, headers: { 'Retry-After': '5' }, cause }),
  internal: (cause?: unknown) => new ProblemError(ProblemType.internal, 'Internal server error', 500, { detail: 'An unexpected error occurred', cause }),
};
