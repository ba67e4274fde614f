/**
 * S2S §API Versioning: the server "MUST reject requests with an unsupported Api-Version with
 * HTTP 400 [...] indicating the supported versions in the header". Profile §API versions: a
 * version is supported only when it is listed exactly (no patch-level matching), so a response
 * never claims a version the client did not ask for.
 */
export const supportedApiVersions = ['1.0.0'] as const;
export const currentApiVersion: string = supportedApiVersions[supportedApiVersions.length - 1] ?? '1.0.0';

const semver = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export type VersionNegotiation = { ok: true; version: string } | { ok: false; reason: string };

export function negotiateApiVersion(requested: string | undefined): VersionNegotiation {
  if (requested === undefined || requested.trim() === '') return { ok: false, reason: 'The Api-Version request header is required' };
  const match = semver.exec(requested.trim());
  if (!match) return { ok: false, reason: `Api-Version "${requested}" is not a semantic version MAJOR.MINOR.PATCH` };
  const version = supportedApiVersions.find((v) => v === match[0]);
  return version ? { ok: true, version } : { ok: false, reason: `Api-Version ${requested.trim()} is not supported` };
}
