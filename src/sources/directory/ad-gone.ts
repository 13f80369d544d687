import { isGuid } from '../../connectors/ad/guid.js';
import type { Logger } from '../../connectors/types.js';
import type { SourceBatch, SourceProblem } from '../../core/types.js';
import { holdersFilter, needsHolderCheck } from './mapping.js';
import { rekeyedDns, reportsOf } from './reports.js';
import type { ChangedObject, DirectoryReader, RootDse } from './search.js';
import type { MappingRules } from './settings.js';
import { firstValue, type DirectoryEntry } from './values.js';

export interface AdChanges {
  /** Keys no entry of the source holds any more: their entry left, or took another key. */
  readonly gone: readonly string[];
  /** objectGUID -> key after the pass. */
  readonly keys: Record<string, string>;
  /** Known objectGUIDs that left the source this pass (deleted, moved out of the base, filtered out). */
  readonly left: number;
}

/**
 * The keys an incremental pass finds gone, given the objectGUID -> key map
 * before it, the entries it read (in the base and filter, changed since the
 * cursor) and the objectGUIDs the directory showed leaving. An entry read
 * with a key records it (another key than before leaves the old one gone, as
 * a full pass would find); one read without a key keeps the key it had. A
 * key another entry still holds is not gone.
 */
export function adChanges(previous: Readonly<Record<string, string>>, input: {
  readonly entries: readonly DirectoryEntry[];
  readonly left: Iterable<string>;
  readonly key: string;
}): AdChanges {
  const keys: Record<string, string> = { ...previous };
  const candidates = new Set<string>();
  for (const entry of input.entries) {
    const guid = firstValue(entry, 'objectGUID');
    const key = firstValue(entry, input.key);
    if (!isGuid(guid) || key === '') continue;
    const before = keys[guid];
    if (before !== undefined && before !== key) candidates.add(before);
    keys[guid] = key;
  }
  let left = 0;
  for (const guid of input.left) {
    const key = keys[guid];
    if (key === undefined) continue;
    left += 1;
    candidates.add(key);
    delete keys[guid];
  }
  const held = new Set(Object.values(keys));
  return { gone: [...candidates].filter((key) => !held.has(key)).sort(), keys, left };
}

/** The objectGUIDs of entries, or undefined when one of them has none (then nobody can be told gone by its absence). */
function guidsOf(entries: readonly DirectoryEntry[]): Set<string> | undefined {
  const guids = new Set<string>();
  for (const entry of entries) {
    const guid = firstValue(entry, 'objectGUID');
    if (!isGuid(guid)) return undefined;
    guids.add(guid);
  }
  return guids;
}

export interface AdIncremental {
  /** The entries in the base and filter changed since the cursor (the pass's records). */
  readonly entries: readonly DirectoryEntry[];
  readonly changes: AdChanges;
  /** Known objectGUIDs that left the base and filter (what `changes` was computed from, with `entries`). */
  readonly left: readonly string[];
  /** Those of `left` that were deleted (tombstones; moved out of the base or filter are not). */
  readonly deleted: readonly string[];
}

/**
 * An incremental pass of an `ad` source whose cursor holds objectGUID ->
 * key (`keys`), which also finds who left the source since the cursor:
 * deleted (a tombstone, read with the Show Deleted control), moved out of
 * the base, or changed so the filter no longer matches. Every one of those
 * moves the entry's uSNChanged past the cursor. The pass, after the rootDSE
 * read that gives the next cursor (R):
 *
 * 1. may the bind read CN=Deleted Objects? If not, one warning naming what
 *    to grant, and no Show Deleted control: deletions are not seen (the
 *    next full pass sees them), leaving the base or filter still is;
 * 2. D: every objectGUID of the domain naming context with uSNChanged past
 *    the cursor (tombstones too);
 * 3. S: the source's own incremental search (base, filter, uSNChanged past
 *    the cursor), the pass's records;
 * 4. a known GUID in D and not in S is a candidate; C: the base and filter
 *    are searched for the candidates by objectGUID, and a candidate found
 *    there is not gone; the others are.
 *
 * Why this order and why C. uSNChanged only grows. D runs before S, so an
 * entry D saw (changed past the cursor) that is in scope when S runs is in
 * S: an entry changed between D and S is in S and not a candidate, never
 * a false leaver (with S first, an unchanged person edited between S and D
 * would be in D and not in S: gone by mistake). An entry leaving between D
 * and S was in D only if it had changed before: it is truly gone when S
 * runs. An entry leaving after D, or one D did not see, changed after R,
 * so the next pass (from R) sees it. C covers what the order cannot: a
 * paged search is not a snapshot, and an entry moved inside the base while
 * S pages may be missed by S; C asks for each candidate by name, now, and
 * only an entry that is not in the base and filter at C is gone. If the
 * directory fails anywhere, the pass fails: nothing is reported gone and the
 * cursor stays. An entry of S or C without a readable objectGUID makes the
 * pass report nobody gone (its absence would prove nothing).
 */
export async function readAdIncremental(reader: DirectoryReader, input: {
  readonly sourceId: string;
  readonly rules: Pick<MappingRules, 'key'>;
  readonly filter: string;
  readonly incrementalFilter: string;
  readonly attributes: readonly string[];
  /** The first USN not yet read (the cursor plus one). */
  readonly since: string;
  readonly keys: Readonly<Record<string, string>>;
  readonly root: RootDse;
  readonly bindDN: string;
  readonly log?: Pick<Logger, 'warn'> | undefined;
}): Promise<AdIncremental> {
  const { root, log } = input;
  const context = root.defaultNamingContext;
  let changed: readonly ChangedObject[] = [];
  if (context === undefined) {
    log?.warn('directory source: the rootDSE has no defaultNamingContext, so this incremental pass does not look for people who left (the next full pass does)', {
      source: input.sourceId,
    });
  } else {
    const access = await reader.deletedObjectsAccess(context);
    if (!access.readable) {
      log?.warn('directory source: the bind account may not read deleted objects, so this incremental pass sees people moved out of the base or '
        + 'filter but not people deleted from the directory (the next full pass does). Grant it List Contents and Read Property on '
        + `CN=Deleted Objects,${context} (as a domain admin: dsacls "CN=Deleted Objects,${context}" /takeownership, then `
        + `dsacls "CN=Deleted Objects,${context}" /g DOMAIN\\account:LCRP)`, { source: input.sourceId, bindDN: input.bindDN, reason: access.reason });
    }
    changed = await reader.changedSince(context, input.since, access.readable);
  }
  const entries = await reader.search(input.incrementalFilter, input.attributes);
  const read = guidsOf(entries);
  const candidates = read === undefined ? [] : [...new Set(changed.map((object) => object.guid))].filter((guid) => input.keys[guid] !== undefined && !read.has(guid));
  let left: string[] = [];
  if (candidates.length > 0) {
    const found = await reader.guidsInScope(input.filter, candidates);
    left = found === undefined ? [] : candidates.filter((guid) => !found.has(guid));
  }
  const tombstones = new Set(changed.filter((object) => object.deleted).map((object) => object.guid));
  const deleted = left.filter((guid) => tombstones.has(guid));
  return { entries, changes: adChanges(input.keys, { entries, left, key: input.rules.key }), left, deleted };
}

/** Keys asked for in one filter when confirming who is gone. */
const KEYS_PER_SEARCH = 100;

/**
 * The changes with every gone key that an entry under the base matching the
 * filter holds now taken back (not gone), and that entry's objectGUID
 * recorded with it. The objectGUID -> key map only learns of an entry when
 * its own uSNChanged moves: one that came into the filter by a change to
 * another object (added to a group a `memberOf` filter names) is not in it,
 * and without this its key would be gone when an older holder leaves, a
 * person active in the directory. Values compare exactly, though the
 * directory's match ignores case: a key respelled in case is the same
 * person only from the same entry (lifecycle/respelled.ts), and an entry
 * respelling its own key is in this pass's read, so a holder found here with
 * `e7` for a gone `E7` is another entry, a person of their own, and `E7` is
 * gone (Samba, review 20: folding here kept a deleted person from leaving).
 */
export async function withoutHeldKeys(reader: Pick<DirectoryReader, 'search'>, input: {
  readonly filter: string;
  readonly key: string;
  readonly changes: AdChanges;
}): Promise<AdChanges> {
  const { changes, key } = input;
  // A key the directory keeps unique (dn, objectGUID, objectSid) only its own entry can hold, and the map knows that one.
  if (changes.gone.length === 0 || !needsHolderCheck(key)) return changes;
  const gone = new Set(changes.gone);
  const keys = { ...changes.keys };
  for (let i = 0; i < changes.gone.length; i += KEYS_PER_SEARCH) {
    const chunk = changes.gone.slice(i, i + KEYS_PER_SEARCH);
    for (const entry of await reader.search(holdersFilter(input.filter, key, chunk), [key, 'objectGUID'])) {
      const value = firstValue(entry, key);
      if (!chunk.includes(value)) continue;
      gone.delete(value);
      const guid = firstValue(entry, 'objectGUID');
      // Known under another key: left as it is (that key stays held too).
      if (isGuid(guid) && keys[guid] === undefined) keys[guid] = value;
    }
  }
  return { gone: changes.gone.filter((k) => gone.has(k)), keys, left: changes.left };
}

/**
 * A full pass's batch and objectGUID -> key map, with every entry the batch
 * turned down (its key also held by another entry, several keys, no key, a
 * bad date: bad input) kept under the key `known` (the stored cursor's map)
 * had for it: a problem naming that key, so the person who had it is not
 * missing (a typo must not make a leaver), and that key in the map, so the
 * next pass still knows whose it is. Without `known` (no stored map), the
 * batch as it is and the map of every entry with a key.
 */
export function keepTurnedDown(batch: SourceBatch, input: {
  readonly entries: readonly DirectoryEntry[];
  readonly key: string;
  readonly known: Readonly<Record<string, string>> | undefined;
}): { readonly batch: SourceBatch; readonly keys: Record<string, string> } {
  const keys = adChanges({}, { entries: input.entries, left: [], key: input.key }).keys;
  if (input.known === undefined) return { batch, keys };
  const recorded = new Set(batch.records.map((record) => record.key));
  const named = new Set([...recorded, ...batch.problems.flatMap((problem) => (problem.key === undefined || problem.key === '' ? [] : [problem.key]))]);
  const kept: SourceProblem[] = [];
  input.entries.forEach((entry, index) => {
    const guid = firstValue(entry, 'objectGUID');
    const before = isGuid(guid) ? input.known?.[guid] : undefined;
    if (before === undefined || recorded.has(firstValue(entry, input.key))) return;
    keys[guid] = before;
    if (named.has(before)) return;
    named.add(before);
    // `entry` set: a directory entry's problem, printed by key and DN, not by its line in the answer (cli/plan-format.ts).
    kept.push({
      line: index + 1, key: before, entry: guid.toLowerCase(),
      message: `entry ${entry.dn} had ${input.key} "${before}" at the last pass and cannot be used in this one: "${before}" is not taken for gone`,
    });
  });
  if (kept.length === 0) return { batch, keys };
  return { batch: { ...batch, problems: [...batch.problems, ...kept].sort((a, b) => a.line - b.line) }, keys };
}

/**
 * The entries under the base and filter whose manager (`managerAttribute`,
 * a DN) is one of the entries read whose key is not the one `known` had for
 * it, and that are not among `entries`. AD keeps a report's manager DN up to
 * date without moving the report's uSNChanged, so an incremental pass would
 * keep the old key as their manager until the next full pass (reports.ts).
 */
export async function reportsOfRekeyed(reader: Pick<DirectoryReader, 'search'>, input: {
  readonly filter: string;
  readonly key: string;
  readonly managerAttribute: string | undefined;
  readonly attributes: readonly string[];
  readonly entries: readonly DirectoryEntry[];
  readonly known: Readonly<Record<string, string>>;
}): Promise<DirectoryEntry[]> {
  const managers = rekeyedDns(input.entries, input.key, (entry) => input.known[firstValue(entry, 'objectGUID')]);
  return reportsOf(reader, { filter: input.filter, managerAttribute: input.managerAttribute, attributes: input.attributes, managers, entries: input.entries });
}

/**
 * The gone keys whose reports' manager the directory dropped: those of the
 * entries deleted this pass (tombstones, `deleted`; not the ones moved out of
 * the base or filter, whom AD keeps linked, so a full pass still reads them
 * as the manager by DN), when the manager field is mapped from AD's linked
 * `manager` attribute. A deleted user's reports lose that link without their
 * uSNChanged moving: the directory has nothing to read again for them, and
 * the source does not read the store, so the batch names these keys
 * (SourceBatch.unlinked) for the merge, which holds the identities naming them.
 * Another attribute holding a DN or a key is not AD's to drop: not covered.
 */
export function unlinkedManagers(input: {
  readonly managerAttribute: string | undefined;
  readonly deleted: readonly string[];
  readonly known: Readonly<Record<string, string>>;
  readonly gone: readonly string[];
}): string[] {
  if (input.managerAttribute?.toLowerCase() !== 'manager' || input.deleted.length === 0) return [];
  const gone = new Set(input.gone);
  const keys = new Set<string>();
  for (const guid of input.deleted) {
    const key = input.known[guid];
    if (key !== undefined && gone.has(key)) keys.add(key);
  }
  return [...keys].sort();
}
