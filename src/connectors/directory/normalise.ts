import { normaliseDn } from './dn.js';

/** An entry as read: attribute names lower-cased, every value a string (binary ones are read separately). */
export type EntryValues = ReadonlyMap<string, readonly string[]>;

/** A modification to send: replace with these values (an empty list deletes the attribute). */
export interface AttributeChange {
  readonly attribute: string;
  readonly values: readonly string[];
}

/** A Roster attribute value as LDAP strings: null/undefined none, arrays flattened, booleans TRUE/FALSE. */
export function toLdapValues(value: unknown): string[] {
  // The common case first: one string (what String(value) below gives for it).
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((item) => toLdapValues(item));
  if (typeof value === 'boolean') return [value ? 'TRUE' : 'FALSE'];
  if (value instanceof Date) return [value.toISOString()];
  if (typeof value === 'object') return [JSON.stringify(value)];
  const text = String(value);
  return text === '' ? [] : [text];
}

/** Comparable form of one value: exact text, or a canonical DN for DN-valued attributes. */
function canonical(value: string, isDn: boolean): string {
  if (!isDn) return value;
  try {
    return normaliseDn(value);
  } catch {
    return value;
  }
}

/** Same set of values, ignoring order and duplicates (and DN spelling for DN-valued attributes). */
export function sameValues(a: readonly string[], b: readonly string[], isDn = false): boolean {
  const left = new Set(a.map((v) => canonical(v, isDn)));
  const right = new Set(b.map((v) => canonical(v, isDn)));
  if (left.size !== right.size) return false;
  for (const value of left) if (!right.has(value)) return false;
  return true;
}

/**
 * Attributes of DN syntax in the standard schemas (RFC 4519, 4524, 2798,
 * 2256), lower-cased, aliases too: their values compare as DNs, so one
 * differing only in spacing or case is not rewritten on every update.
 */
export const STANDARD_DN_ATTRIBUTES: ReadonlySet<string> = new Set([
  'manager', 'secretary', 'seealso', 'owner', 'roleoccupant', 'member', 'distinguishedname',
  'aliasedobjectname', 'aliasedentryname', 'documentauthor', 'associatedname', 'ditredirect', 'memberof',
]);

/** Whether an attribute's values held stand for the values wanted (matching.ts MatchingRules.sameValues). */
export type SameValues = (attribute: string, held: readonly string[], wanted: readonly string[]) => boolean;

/**
 * What to send so the entry holds `desired` (LDAP attribute name -> values;
 * an empty list clears). Attribute names compare case-insensitively; only the
 * attributes whose values differ are returned. `compare`: the DN-valued
 * attributes (their values compare as DNs, others as text), or how each
 * attribute's values compare.
 */
export function attributeChanges(current: EntryValues, desired: ReadonlyMap<string, readonly string[]>, compare: ReadonlySet<string> | SameValues = new Set()): AttributeChange[] {
  const same: SameValues = typeof compare === 'function' ? compare : (attribute, held, wanted) => sameValues(held, wanted, compare.has(attribute.toLowerCase()));
  const changes: AttributeChange[] = [];
  for (const [attribute, values] of desired) {
    const have = current.get(attribute.toLowerCase()) ?? [];
    if (values.length === 0 && have.length === 0) continue;
    if (!same(attribute, have, values)) changes.push({ attribute, values });
  }
  return changes;
}

/**
 * An ldapts entry -> lower-cased attribute names with string values; a
 * Buffer (a binary or non-UTF-8 value) as `binary` gives it, by default
 * decoded as UTF-8.
 */
export function entryValues(entry: Readonly<Record<string, unknown>>, binary: (attribute: string, bytes: Buffer) => string = utf8): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(entry)) {
    if (name === 'dn') continue;
    const list: unknown[] = Array.isArray(raw) ? raw : [raw];
    values.set(name.toLowerCase(), list.map((v) => (Buffer.isBuffer(v) ? binary(name, v) : String(v))));
  }
  return values;
}

const utf8 = (_attribute: string, bytes: Buffer): string => bytes.toString('utf8');
