import { isConnectionError } from './errors.js';
import type { ClientPool } from './pool.js';

/**
 * The names of one attribute type definition (RFC 4512 §4.1.2): `NAME 'sn'`
 * or `NAME ( 'sn' 'surname' )`, first name first. Empty when it has none.
 */
export function attributeTypeNames(definition: string): string[] {
  const match = /\bNAME\s+(?:'([^']*)'|\(\s*((?:'[^']*'\s*)+)\))/i.exec(definition);
  if (match === null) return [];
  if (match[1] !== undefined) return [match[1]];
  return [...(match[2] ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '').filter((name) => name !== '');
}

/** Every alias of the given definitions -> the type's first name (the one a server answers with), both lower-cased. */
export function aliasTable(definitions: readonly string[]): Map<string, string> {
  const table = new Map<string, string>();
  for (const definition of definitions) {
    const [first, ...aliases] = attributeTypeNames(definition).map((name) => name.toLowerCase());
    if (first === undefined) continue;
    for (const alias of aliases) table.set(alias, first);
  }
  return table;
}

/**
 * The server's attribute aliases, from its subschema (the root DSE's
 * subschemaSubentry, its attributeTypes). Undefined when the server does not
 * say (no subschema, or the bind may not read it): the caller keeps its own
 * table. A connection error is thrown.
 */
export async function readAttributeAliases(pool: ClientPool): Promise<Map<string, string> | undefined> {
  try {
    const root = await pool.use((c) => c.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['subschemaSubentry'] }));
    const subschema = root.searchEntries[0]?.subschemaSubentry;
    const dn = Array.isArray(subschema) ? subschema[0] : subschema;
    if (typeof dn !== 'string' || dn === '') return undefined;
    const read = await pool.use((c) => c.search(dn, { scope: 'base', filter: '(objectClass=subschema)', attributes: ['attributeTypes'] }));
    const types = read.searchEntries[0]?.attributeTypes;
    const definitions = (Array.isArray(types) ? types : types === undefined ? [] : [types]).map(String);
    return definitions.length === 0 ? undefined : aliasTable(definitions);
  } catch (error) {
    // The connection failing is not an answer: the caller asks again on its next read.
    if (isConnectionError(error)) throw error;
    return undefined;
  }
}
