import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { credentialCatalogueProblems, type CredentialConfiguration } from '../domain/credential-configurations';
import { CredentialCatalogueFile } from '../domain/schemas/credential-configuration';

const validateCatalogue = new Ajv({ allErrors: true, strict: false }).compile<CredentialCatalogueFile>(CredentialCatalogueFile);

/** Names an entry by its id when it has one, so an error points at the configuration, not just an index. */
function entryName(parsed: unknown, instancePath: string): string {
  const index = /^\/(\d+)/.exec(instancePath)?.[1];
  if (index === undefined || !Array.isArray(parsed)) return '';
  const id = (parsed[Number(index)] as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? ` (configuration ${id})` : '';
}

/**
 * Parses and checks a credential catalogue (profile §Credential configurations): the schema
 * (domain/schemas/credential-configuration.ts), then the rules it cannot say. A catalogue with
 * any problem is refused as a whole, listing every problem, so the process does not start with
 * a configuration it would describe or issue wrongly.
 */
export function parseCredentialCatalogue(text: string, source: string): CredentialConfiguration[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${(error as Error).message})`);
  }
  if (!validateCatalogue(parsed)) {
    const problems = (validateCatalogue.errors ?? []).map((e) => `${e.instancePath || '/'}${entryName(parsed, e.instancePath)} ${e.message ?? ''}`.trim());
    throw new Error(`${source} is not a valid credential catalogue:\n  ${problems.join('\n  ')}`);
  }
  const problems = credentialCatalogueProblems(parsed);
  if (problems.length > 0) throw new Error(`${source} is not a valid credential catalogue:\n  ${problems.join('\n  ')}`);
  return parsed;
}

export function readCredentialCatalogueFile(file: string): CredentialConfiguration[] {
  return parseCredentialCatalogue(readFileSync(file, 'utf8'), file);
}
