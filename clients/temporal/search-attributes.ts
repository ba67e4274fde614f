import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { issuerSearchAttributes } from '../../workflows/search-attributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
type IssuerSearchAttribute = (typeof issuerSearchAttributes)[number];

/** The SDK's attribute types as the operator API names them (and the CLI spells them). */
const indexedTypes: Partial<Record<string, { indexed: temporal.api.enums.v1.IndexedValueType; cli: string }>> = {
  [SearchAttributeType.KEYWORD]: { indexed: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, cli: 'Keyword' },
  [SearchAttributeType.KEYWORD_LIST]: { indexed: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST, cli: 'KeywordList' },
  [SearchAttributeType.TEXT]: { indexed: IndexedValueType.INDEXED_VALUE_TYPE_TEXT, cli: 'Text' },
  [SearchAttributeType.INT]: { indexed: IndexedValueType.INDEXED_VALUE_TYPE_INT, cli: 'Int' },
  [SearchAttributeType.DOUBLE]: { indexed: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE, cli: 'Double' },
  [SearchAttributeType.BOOL]: { indexed: IndexedValueType.INDEXED_VALUE_TYPE_BOOL, cli: 'Bool' },
  [SearchAttributeType.DATETIME]: { indexed: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME, cli: 'Datetime' },
};

function typeOf(key: IssuerSearchAttribute) {
  const type = indexedTypes[key.type];
  if (!type) throw new Error(`no indexed type for search attribute ${key.name} (${key.type})`);
  return type;
}

/** The CLI's `--search-attribute Name=Type` spelling of a key (dev server, docker-compose). */
export function searchAttributeCliSpec(key: IssuerSearchAttribute): string {
  return `${key.name}=${typeOf(key).cli}`;
}

/** The issuer's search attributes the namespace lacks (none when every one is registered). */
export async function missingSearchAttributes(connection: Connection, namespace: string): Promise<IssuerSearchAttribute[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  return issuerSearchAttributes.filter((key) => !customAttributes || !(key.name in customAttributes));
}

/** Adds `keys` to the namespace's search attributes (a fresh namespace: the time-skipping server). */
export async function addSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly IssuerSearchAttribute[] = issuerSearchAttributes,
): Promise<void> {
  if (keys.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(keys.map((key) => [key.name, typeOf(key).indexed])),
  });
}

/**
 * Registers the issuer's search attributes the namespace lacks. The dev server registers its
 * `--search-attribute` flags only when it creates its database, so a database kept from an
 * older release would otherwise lack the attributes added since (and every workflow start that
 * sets one would be refused). Returns the names it added.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const missing = await missingSearchAttributes(connection, namespace);
  await addSearchAttributes(connection, namespace, missing);
  return missing.map((key) => key.name);
}

/**
 * At a process's start: fails with the commands that fix it when the namespace lacks one of the
 * issuer's search attributes (a workflow start or upsert naming it would be refused at run time).
 * A namespace whose attributes cannot be listed with this connection's rights (Temporal Cloud
 * manages them elsewhere) is not checked; `warn` says so.
 */
export async function assertSearchAttributesRegistered(connection: Connection, namespace: string, warn: (message: string) => void): Promise<void> {
  let missing: IssuerSearchAttribute[];
  try {
    missing = await missingSearchAttributes(connection, namespace);
  } catch (error) {
    warn(`could not list the search attributes of namespace ${namespace} (${(error as Error).message}); not checked`);
    return;
  }
  if (missing.length === 0) return;
  const commands = missing.map((key) => `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${typeOf(key).cli}`);
  throw new Error(
    `namespace ${namespace} lacks the search attributes ${missing.map((key) => key.name).join(', ')}; register them:\n  ${commands.join('\n  ')}`,
  );
}
