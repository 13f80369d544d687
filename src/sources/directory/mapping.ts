import type { SourceBatch, SourceProblem } from '../../core/types.js';
import { normaliseDn } from '../../connectors/directory/dn.js';
import { equalityFilter, orFilter } from '../../connectors/directory/escape.js';
import { foldKey } from '../../lifecycle/respelled.js';
import { BatchBuilder } from '../batch.js';
import { isIsoDate } from '../dates.js';
import { entryIdAttribute, type MappingRules } from './settings.js';
import { dateValue, firstValue, isDisabledAccount, keyValues, type DirectoryEntry } from './values.js';

/** Normalised DN -> correlation key, for resolving DN-valued managers. */
export type ManagerKeys = ReadonlyMap<string, string>;

/**
 * DNs already put in comparable form: a pass asks for each entry's DN four or
 * five times (its own key, managers, the batch, the cursor), and parsing was
 * a fifth of a full pass's CPU at 50,000 people. Bounded: emptied when full.
 */
const DN_KEYS = new Map<string, string | undefined>();
const DN_KEYS_MAX = 200_000;

/** A DN in comparable form; a value that does not parse as a DN is undefined. */
export function dnKey(value: string): string | undefined {
  if (!value.includes('=')) return undefined;
  if (DN_KEYS.has(value)) return DN_KEYS.get(value);
  let key: string | undefined;
  try {
    key = normaliseDn(value);
  } catch {
    key = undefined;
  }
  if (DN_KEYS.size >= DN_KEYS_MAX) DN_KEYS.clear();
  DN_KEYS.set(value, key);
  return key;
}

/** The keys of the entries themselves, by normalised DN (an entry with several keys names nobody). */
export function keysByDn(entries: readonly DirectoryEntry[], key: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const entry of entries) {
    const values = keyValues(entry, key);
    const dn = dnKey(entry.dn);
    if (values.length === 1 && dn !== undefined) keys.set(dn, values[0]!);
  }
  return keys;
}

/** Key attributes the directory keeps unique itself: no entry can take another's. */
const UNIQUE_KEYS = new Set(['dn', 'objectguid', 'objectsid']);

/** Whether an incremental pass must ask the directory who else holds its entries' keys. */
export function needsHolderCheck(key: string): boolean {
  return !UNIQUE_KEYS.has(key.toLowerCase());
}

/** The distinct non-empty keys of the entries, in groups of at most `size` (one filter each). */
export function keyChunks(entries: readonly DirectoryEntry[], key: string, size = 100): string[][] {
  const keys = [...new Set(entries.map((entry) => firstValue(entry, key)).filter((value) => value !== ''))];
  const chunks: string[][] = [];
  for (let i = 0; i < keys.length; i += size) chunks.push(keys.slice(i, i + size));
  return chunks;
}

/** The source's filter narrowed to entries holding one of `keys` in the key attribute. */
export function holdersFilter(filter: string, key: string, keys: readonly string[]): string {
  return `(&${filter}${orFilter(...keys.map((value) => equalityFilter(key, value)))})`;
}

/**
 * Key, folded (foldKey) -> DNs of the entries holding it (any of their values:
 * an entry with two keys holds both). Folded because the directory compares
 * employeeNumber / employeeID / uid ignoring case, and Roster takes a key
 * respelled in case as the stored person (lifecycle/respelled.ts): an entry
 * typed `e7` beside `E7` holds that person's key, and read alone in an
 * incremental pass it would take over their identity (review 20).
 */
export function holdersByKey(found: readonly DirectoryEntry[], key: string): Map<string, string[]> {
  const holders = new Map<string, string[]>();
  for (const entry of found) {
    for (const value of new Set(keyValues(entry, key).map(foldKey))) {
      const list = holders.get(value);
      if (list === undefined) holders.set(value, [entry.dn]);
      else list.push(entry.dn);
    }
  }
  return holders;
}

/**
 * Gone key -> the entry (entryUUID, objectGUID) that held it at the last pass,
 * from a cursor's entry -> key map: a key respelled in case is the stored
 * person's only from their own entry (lifecycle/respelled.ts), and a deleted
 * newcomer's `e7` must not make the `E7` person, still there, a leaver.
 */
export function goneEntries(gone: readonly string[], known: Readonly<Record<string, string>>): Record<string, string> {
  const wanted = new Set(gone);
  const entries: Record<string, string> = {};
  for (const [entry, key] of Object.entries(known)) if (wanted.has(key)) entries[key] = entry.toLowerCase();
  return entries;
}

/** The directory attribute the manager field is mapped from, if it is mapped. */
export function managerAttribute(rules: MappingRules): string | undefined {
  return rules.attributes[rules.fields.manager];
}

/** Manager DNs the entries name that `known` cannot resolve (to look up one by one). */
export function unresolvedManagers(entries: readonly DirectoryEntry[], rules: MappingRules, known: ManagerKeys): string[] {
  const attribute = managerAttribute(rules);
  if (attribute === undefined) return [];
  const missing = new Set<string>();
  for (const entry of entries) {
    const value = firstValue(entry, attribute);
    const dn = dnKey(value);
    if (dn !== undefined && !known.has(dn)) missing.add(value);
  }
  return [...missing];
}

/**
 * Directory entries -> a SourceBatch. Every mapped attribute is on every
 * record ('' when the entry has none, so a cleared value clears), the key
 * attribute too; the first value of a multi-valued attribute is taken. An
 * entry without the key is a problem naming its DN; so is one with several
 * key values (which is the person is not known: each value is on a problem,
 * so none of them is taken for gone), and every entry whose key another
 * entry also holds: `holders` (key -> DNs of the entries in the directory
 * holding it, from an incremental pass's check), or for a full pass the
 * pass's own entries. No entry wins a shared key by the order the directory
 * happened to return them in: a key typed onto an older entry must not hand
 * the newer person's identity to it. A DN-valued manager becomes the
 * manager's key ('' and a problem when the manager cannot be found). An AD
 * account that is disabled gets `disabledStatus` as its status. Records and
 * keyed problems carry the entry's entryUUID / objectGUID (`entry`): a key
 * respelled in letter case is the stored person only from their own entry.
 */
export function entriesToBatch(
  entries: readonly DirectoryEntry[], rules: MappingRules, managers: ManagerKeys, complete: boolean,
  holders?: ReadonlyMap<string, readonly string[]>,
): SourceBatch {
  const builder = new BatchBuilder({ sourceId: rules.sourceId, key: rules.key, dateFields: [rules.fields.startDate, rules.fields.endDate] });
  const held = holders ?? holdersByKey(entries, rules.key);
  const firstDn = new Map<string, string>();
  const extraProblems: SourceProblem[] = [];
  const idAttribute = entryIdAttribute(rules.kind);
  entries.forEach((entry, index) => {
    const line = index + 1;
    const keys = keyValues(entry, rules.key);
    const key = keys[0];
    const id = firstValue(entry, idAttribute).toLowerCase() || undefined;
    const of = id === undefined ? {} : { entry: id };
    if (key === undefined) {
      builder.reject(line, `entry ${entry.dn} has no ${rules.key}: it cannot be correlated`, undefined, id);
      return;
    }
    if (keys.length > 1) {
      const listed = keys.map((value) => JSON.stringify(value)).join(', ');
      builder.reject(line, `entry ${entry.dn} has ${keys.length} values of ${rules.key} (${listed}): it cannot be correlated to one person`, key, id);
      for (const other of keys.slice(1)) extraProblems.push({ line, key: other, message: `entry ${entry.dn} also has ${rules.key} "${other}"`, ...of });
      return;
    }
    const own = dnKey(entry.dn) ?? entry.dn;
    const others = (held.get(foldKey(key)) ?? []).filter((dn) => (dnKey(dn) ?? dn) !== own);
    if (others.length > 0) {
      builder.reject(line, `entry ${entry.dn} has ${rules.key} "${key}", also held by ${others.join('; ')}`, key, id);
      return;
    }
    const earlier = firstDn.get(foldKey(key));
    if (earlier !== undefined) {
      builder.reject(line, `entry ${entry.dn} has ${rules.key} "${key}", already used by ${earlier}`, key, id);
      return;
    }
    firstDn.set(foldKey(key), entry.dn);
    const values: Record<string, string> = { [rules.key]: key };
    for (const [name, attribute] of Object.entries(rules.attributes)) values[name] = firstValue(entry, attribute);
    for (const field of [rules.fields.startDate, rules.fields.endDate]) {
      if (values[field] !== undefined) values[field] = dateValue(values[field], rules.timezone);
    }
    const manager = values[rules.fields.manager];
    const managerDn = manager === undefined ? undefined : dnKey(manager);
    if (managerDn !== undefined) {
      const managerKey = managers.get(managerDn) ?? '';
      if (managerKey === '') extraProblems.push({ line, key, message: `entry ${entry.dn}: manager ${manager} was not found or has no ${rules.key}; ${rules.fields.manager} left empty`, ...of });
      values[rules.fields.manager] = managerKey;
    }
    if (rules.kind === 'ad') {
      const status = isDisabledAccount(entry) ? rules.disabledStatus : values[rules.fields.status] ?? '';
      values[rules.fields.status] = status;
    }
    const badDate = notADate(entry, values, rules);
    if (badDate !== undefined) builder.reject(line, badDate, key, id);
    else builder.add(line, values, id);
  });
  const batch = builder.build(complete);
  return extraProblems.length === 0 ? batch : { ...batch, problems: [...batch.problems, ...extraProblems].sort((a, b) => a.line - b.line) };
}

/**
 * An entry's start or end date that is no date, named by its DN and attribute (the batch's own check would say
 * `column "endDate"`, a file's words): the entry is skipped, as a file's row with a bad date is.
 */
function notADate(entry: DirectoryEntry, values: Readonly<Record<string, string>>, rules: MappingRules): string | undefined {
  for (const field of [rules.fields.startDate, rules.fields.endDate]) {
    const value = values[field];
    if (value === undefined || value === '' || isIsoDate(value)) continue;
    const attribute = rules.attributes[field] ?? field;
    const shown = attribute === field ? attribute : `${attribute} (${field})`;
    return `entry ${entry.dn}: ${shown} is not a date (an ISO date, a date-time or a directory time): "${firstValue(entry, attribute)}"`;
  }
  return undefined;
}
