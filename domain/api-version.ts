/**
 * S2S §API Versioning. Profile §API versions: the server processes a request with the
 * supported version of the same MAJOR.MINOR (patch levels never change the contract);
 * anything else is refused with the list of supported versions.
 */
export const supportedApiVersions = ['1.0.0'] as const;
export const currentApiVersion: string = supportedApiVersions[supportedApiVersions.length - 1] ?? '1.0.0';

const semver = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export type VersionNegotiation = { ok: true; version: string } | { ok: false; reason: string };

export function negotiateApiVersion(requested: string | undefined): VersionNegotiation {
  if (requested === undefined || requested.trim() === '') return { ok: false, reason: 'The Api-Version request header is required' };
  const match = semver.exec(requested.trim());
  if (!match) return { ok: false, reason: `Api-Version "${requested}" is not a semantic version MAJOR.MINOR.PATCH` };
  const [, major, minor] = match;
  const version = supportedApiVersions.find((v) => v.startsWith(`${major}.${minor}.`));
  return version ? { ok: true, version } : { ok: false, reason: `Api-Version ${requested} is not supported` };
}
