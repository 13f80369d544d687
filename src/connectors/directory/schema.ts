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

/**
 * Every alias of the given definitions, and its OID, -> the type's first name
 * (the one a server answers with), lower-cased: an attribute a mapping names
 * by OID is read back under its name.
 */
export function aliasTable(definitions: readonly string[]): Map<string, string> {
  const table = new Map<string, string>();
  for (const definition of definitions) {
    const [first, ...aliases] = attributeTypeNames(definition).map((name) => name.toLowerCase());
    if (first === undefined) continue;
    for (const alias of aliases) table.set(alias, first);
    const oid = /^\s*\(\s*([\d.]+)\s/.exec(definition)?.[1];
    if (oid !== undefined) table.set(oid, first);
  }
  return table;
}

/** What one attribute type definition says of its equality: its OID, names, `SUP` and `EQUALITY` (lower-cased). */
interface TypeEquality {
  readonly oid: string;
  readonly names: readonly string[];
  readonly sup: string | undefined;
  readonly equality: string | undefined;
}

/** A quoted description (`DESC '…'`) may hold any word: taken out before the keywords are looked for. */
const QUOTED = /'(?:[^'\\]|\\.)*'/g;

function typeEquality(definition: string): TypeEquality | undefined {
  const oid = /^\s*\(\s*([\w.-]+)/.exec(definition)?.[1];
  if (oid === undefined) return undefined;
  const names = attributeTypeNames(definition).map((name) => name.toLowerCase());
  const bare = definition.replace(QUOTED, "''");
  const sup = /\bSUP\s+([\w.-]+)/i.exec(bare)?.[1]?.toLowerCase();
  const equality = /\bEQUALITY\s+([\w.-]+)/i.exec(bare)?.[1]?.toLowerCase();
  return { oid: oid.toLowerCase(), names, sup, equality };
}

/**
 * Each attribute type's EQUALITY matching rule, under every name (and OID)
 * of the type, lower-cased, the rule as the definition names it (a name or
 * an OID), lower-cased. A type without one of its own takes its `SUP`'s
 * (`cn` and `sn` inherit caseIgnoreMatch from `name`); a type with none at
 * all is left out (the server compares its values byte for byte, if at all).
 */
export function equalityTable(definitions: readonly string[]): Map<string, string> {
  const types = new Map<string, TypeEquality>();
  for (const definition of definitions) {
    const type = typeEquality(definition);
    if (type === undefined) continue;
    types.set(type.oid, type);
    for (const name of type.names) types.set(name, type);
  }
  const ruleOf = (type: TypeEquality): string | undefined => {
    let current: TypeEquality | undefined = type;
    // A SUP chain is short; a looping one (a broken schema) ends here.
    for (let depth = 0; current !== undefined && depth < 16; depth++) {
      if (current.equality !== undefined) return current.equality;
      current = current.sup === undefined ? undefined : types.get(current.sup);
    }
    return undefined;
  };
  const table = new Map<string, string>();
  for (const [name, type] of types) {
    const rule = ruleOf(type);
    if (rule !== undefined) table.set(name, rule);
  }
  return table;
}

/** What the server's subschema says of its attribute types: aliases (aliasTable) and equality rules (equalityTable). */
export interface AttributeSchema {
  readonly aliases: ReadonlyMap<string, string>;
  readonly equality: ReadonlyMap<string, string>;
}

/**
 * The server's attribute types, from its subschema (the root DSE's
 * subschemaSubentry, its attributeTypes). Undefined when the server does not
 * say (no subschema, or the bind may not read it): the caller keeps its own
 * tables. A connection error is thrown.
 */
export async function readAttributeSchema(pool: ClientPool): Promise<AttributeSchema | undefined> {
  try {
    const root = await pool.use((c) => c.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['subschemaSubentry'] }));
    const subschema = root.searchEntries[0]?.subschemaSubentry;
    const dn = Array.isArray(subschema) ? subschema[0] : subschema;
    if (typeof dn !== 'string' || dn === '') return undefined;
    const read = await pool.use((c) => c.search(dn, { scope: 'base', filter: '(objectClass=subschema)', attributes: ['attributeTypes'] }));
    const types = read.searchEntries[0]?.attributeTypes;
    const definitions = (Array.isArray(types) ? types : types === undefined ? [] : [types]).map(String);
    return definitions.length === 0 ? undefined : { aliases: aliasTable(definitions), equality: equalityTable(definitions) };
  } catch (error) {
    // The connection failing is not an answer: the caller asks again on its next read.
    if (isConnectionError(error)) throw error;
    return undefined;
  }
}
