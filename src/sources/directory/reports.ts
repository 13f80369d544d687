import { equalityFilter } from '../../connectors/directory/escape.js';
import { dnKey } from './mapping.js';
import type { DirectoryReader } from './search.js';
import { firstValue, type DirectoryEntry } from './values.js';

/** Managers asked for in one filter. */
const MANAGERS_PER_SEARCH = 50;
/** Past this many managers, one read of every entry that has a manager instead of a search per fifty. */
const MANAGERS_ONE_READ = 200;

/**
 * The entries under the base and filter whose manager (`managerAttribute`,
 * a DN) is one of `managers`, and that are not among `entries` (already
 * read). A report's manager DN does not change when the manager's key does,
 * so the report's own entry does not change either (no new uSNChanged,
 * entryCSN or modifyTimestamp): an incremental pass that read only the
 * manager would leave the report naming the old key until the next full
 * pass. Reading the reports again lets the pass resolve them to the new key.
 */
export async function reportsOf(reader: Pick<DirectoryReader, 'search'>, input: {
  readonly filter: string;
  readonly managerAttribute: string | undefined;
  readonly attributes: readonly string[];
  readonly managers: readonly string[];
  readonly entries: readonly DirectoryEntry[];
}): Promise<DirectoryEntry[]> {
  const attribute = input.managerAttribute;
  if (attribute === undefined || attribute.toLowerCase() === 'dn' || input.managers.length === 0) return [];
  const have = new Set(input.entries.map((entry) => dnKey(entry.dn) ?? entry.dn));
  const reports: DirectoryEntry[] = [];
  const take = (entry: DirectoryEntry): void => {
    const dn = dnKey(entry.dn) ?? entry.dn;
    if (have.has(dn)) return;
    have.add(dn);
    reports.push(entry);
  };
  if (input.managers.length > MANAGERS_ONE_READ) {
    // Many managers (a bulk change): one read rather than a search per fifty, each a scan of the source without an index on the attribute.
    const wanted = new Set(input.managers.map((dn) => dnKey(dn) ?? dn));
    for (const entry of await reader.search(`(&${input.filter}${`(${attribute}=*)`})`, input.attributes)) {
      const manager = firstValue(entry, attribute);
      if (wanted.has(dnKey(manager) ?? manager)) take(entry);
    }
    return reports;
  }
  for (let i = 0; i < input.managers.length; i += MANAGERS_PER_SEARCH) {
    const managers = input.managers.slice(i, i + MANAGERS_PER_SEARCH).map((dn) => equalityFilter(attribute, dn)).join('');
    for (const entry of await reader.search(`(&${input.filter}(|${managers}))`, input.attributes)) take(entry);
  }
  return reports;
}

/** The DNs of the entries whose key is not the one `before` gives for them (a key change; an entry new to the map or without a key is none). */
export function rekeyedDns(entries: readonly DirectoryEntry[], key: string, before: (entry: DirectoryEntry) => string | undefined): string[] {
  return entries.filter((entry) => {
    const previous = before(entry);
    const now = firstValue(entry, key);
    return previous !== undefined && now !== '' && now !== previous;
  }).map((entry) => entry.dn);
}

/**
 * An ldap pass's entryUUID -> key map after it: `known` (the stored cursor's, or none for a full pass) with the key each
 * of `entries` has now. An entry without an entryUUID or without a key changes nothing (one read without a key keeps
 * the key it had, as AD's and syncrepl's maps do).
 */
export function entryKeys(entries: readonly DirectoryEntry[], key: string, known: Readonly<Record<string, string>> = {}): Record<string, string> {
  const keys: Record<string, string> = { ...known };
  for (const entry of entries) {
    const uuid = firstValue(entry, 'entryUUID').toLowerCase();
    const value = firstValue(entry, key);
    if (uuid !== '' && value !== '') keys[uuid] = value;
  }
  return keys;
}

/**
 * The DNs of the entries an ldap incremental pass read whose reports it must read again: with the cursor's
 * entryUUID -> key map (`known`), those whose key is not the one the map has (rekeyedDns), and those without an
 * entryUUID (nothing to tell by); without a map (a cursor stored before it was kept), every entry read.
 */
export function ldapRekeyedDns(entries: readonly DirectoryEntry[], key: string, known: Readonly<Record<string, string>> | undefined): string[] {
  if (known === undefined) return entries.map((entry) => entry.dn);
  return rekeyedDns(entries, key, (entry) => {
    const uuid = firstValue(entry, 'entryUUID').toLowerCase();
    // No entryUUID (hidden from the bind): any key differs from '' and counts as changed, as every entry did before the map.
    return uuid === '' ? '' : known[uuid];
  });
}
