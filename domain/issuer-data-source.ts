import { CredentialFormatId } from './credential-formats/format';
import type { CredentialConfiguration } from './credential-configurations';
import type { ClaimsPath } from './schemas/credential-configuration';

/**
 * Where the claims of a credential come from: the issuer's own records (profile §Credential
 * configurations, Holder data). The issuance code sees only this interface; the default
 * implementation reads the `issuer_holders` collection (store/issuer-holders.ts), a deployment
 * may put its system of record behind it instead.
 */

/** What the issuer keeps for one holder and one credential configuration. */
export interface HolderDataset {
  configurationId: string;
  /**
   * The claims, addressed by the configuration's claims paths as its metadata publishes them
   * (OpenID4VCI Appendix C): top-level members for dc+sd-jwt, `credentialSubject.*` for
   * jwt_vc_json, namespace → data element for mso_mdoc.
   */
  claims: Readonly<Record<string, unknown>>;
  /**
   * Deferred issuance: the issuer does not have the data set ready yet (e.g. a licence being
   * produced). `notReadyUntil` is the issuer's estimate, when it has one.
   */
  pending?: { notReadyUntil?: Date };
}

/** A holder account of the issuer, with its data set per configuration. */
export interface HolderRecord {
  holderAccountId: string;
  datasets: readonly HolderDataset[];
}

/** Claims in the shape IssueCredentialInput.claims expects (domain/credential-formats/format.ts). */
export type HolderClaimsOutcome =
  | { outcome: 'ready'; claims: Record<string, unknown> }
  /** Not yet: issue later (deferred); retry no earlier than notReadyUntil when it is given. */
  | { outcome: 'pending'; notReadyUntil?: Date }
  /** The holder has no data for this configuration: it cannot be issued to them. */
  | { outcome: 'no_data' }
  /** The records lack claims the configuration promises to include (mandatory): an issuer-side data error. */
  | { outcome: 'incomplete'; missing: ClaimsPath[] };

export interface IssuerDataSource {
  findHolder(holderAccountId: string): Promise<HolderRecord | null>;
  claimsFor(holder: HolderRecord, configuration: CredentialConfiguration): HolderClaimsOutcome;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The part of a claims path that names object members: a claim addressed into an array (null or
 * an index, Appendix C) is taken with its whole array, which the format then issues as one claim.
 */
function memberPrefix(path: ClaimsPath): string[] {
  const prefix: string[] = [];
  for (const component of path) {
    if (typeof component !== 'string') break;
    prefix.push(component);
  }
  return prefix;
}

function valueAt(source: Record<string, unknown>, members: readonly string[]): unknown {
  let current: unknown = source;
  for (const member of members) {
    if (!isObject(current) || !Object.hasOwn(current, member)) return undefined;
    current = current[member];
  }
  return current;
}

function setAt(target: Record<string, unknown>, members: readonly string[], value: unknown): void {
  let current = target;
  members.slice(0, -1).forEach((member) => {
    if (!isObject(current[member])) current[member] = {};
    current = current[member] as Record<string, unknown>;
  });
  current[members[members.length - 1] as string] = value;
}

/**
 * The claims of a data set that the configuration describes, and nothing else (data
 * minimisation: members the records hold but the configuration does not describe stay out),
 * in the shape its format's implementation expects. Pure, so every implementation of
 * IssuerDataSource shapes claims alike.
 */
export function selectConfigurationClaims(dataset: HolderDataset, configuration: CredentialConfiguration): HolderClaimsOutcome {
  if (dataset.pending) {
    // Pending until the records say it is ready, also when the estimate has passed.
    return dataset.pending.notReadyUntil ? { outcome: 'pending', notReadyUntil: dataset.pending.notReadyUntil } : { outcome: 'pending' };
  }
  const selected: Record<string, unknown> = {};
  const missing: ClaimsPath[] = [];
  for (const claim of configuration.claims) {
    const members = memberPrefix(claim.path);
    const value = valueAt(dataset.claims, members);
    if (value === undefined || value === null) {
      if (claim.mandatory) missing.push(claim.path);
      continue;
    }
    setAt(selected, members, value);
  }
  if (missing.length > 0) return { outcome: 'incomplete', missing };
  if (configuration.format === CredentialFormatId.jwtVcJson) {
    // IssueCredentialInput.claims is the credentialSubject for jwt_vc_json.
    return { outcome: 'ready', claims: isObject(selected.credentialSubject) ? selected.credentialSubject : {} };
  }
  return { outcome: 'ready', claims: selected };
}

/** IssuerDataSource.claimsFor on a record: its data set for the configuration, selected. */
export function claimsForHolder(holder: HolderRecord, configuration: CredentialConfiguration): HolderClaimsOutcome {
  const dataset = holder.datasets.find((candidate) => candidate.configurationId === configuration.id);
  return dataset ? selectConfigurationClaims(dataset, configuration) : { outcome: 'no_data' };
}
