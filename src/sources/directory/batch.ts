import { mapLimited } from '../../core/concurrency.js';
import type { SourceBatch } from '../../core/types.js';
import { dnKey, entriesToBatch, holdersByKey, holdersFilter, keyChunks, keysByDn, needsHolderCheck, unresolvedManagers } from './mapping.js';
import type { DirectoryReader } from './search.js';
import type { MappingRules } from './settings.js';
import type { DirectoryEntry } from './values.js';

/** Past this many filters of a hundred keys, an incremental pass reads every entry's key once instead. */
const HOLDER_SEARCHES = 2;
/** Manager lookups under way at once. */
const MANAGER_LOOKUPS = 8;

/**
 * The entries a pass read as a batch. A delta (`complete` false): the
 * directory is asked who else holds those entries' keys, and an entry whose
 * key another entry also holds is a problem, not a record (a full pass sees
 * that in its own entries). Managers outside the entries are looked up by DN.
 */
export async function directoryBatch(reader: DirectoryReader, input: {
  readonly rules: MappingRules;
  readonly filter: string;
  readonly entries: readonly DirectoryEntry[];
  readonly complete: boolean;
  /** Ask the directory who else holds the entries' keys (an incremental pass). */
  readonly delta: boolean;
}): Promise<SourceBatch> {
  const { rules, filter, entries } = input;
  let holders: Map<string, string[]> | undefined;
  if (input.delta && needsHolderCheck(rules.key)) {
    const chunks = keyChunks(entries, rules.key);
    if (chunks.length > HOLDER_SEARCHES) {
      // Many keys: one read of every entry's key instead. Each filter of a hundred keys costs the server a scan of
      // the whole source when the key attribute has no index (250 ms of slapd per search at 50,000 people).
      holders = holdersByKey(await reader.search(filter, [rules.key]), rules.key);
    } else {
      holders = new Map();
      for (const keys of chunks) {
        for (const [key, dns] of holdersByKey(await reader.search(holdersFilter(filter, rules.key, keys), [rules.key]), rules.key)) {
          // Folded keys: `E7` and `e7` asked in two chunks find the same entries twice.
          holders.set(key, [...new Set([...(holders.get(key) ?? []), ...dns])]);
        }
      }
    }
  }
  const managers = keysByDn(entries, rules.key);
  // Managers outside the entries (an incremental pass's usual case), a few lookups at once rather than one after another.
  const outside = [...unresolvedManagers(entries, rules, managers)];
  const keys = await mapLimited(outside, MANAGER_LOOKUPS, (dn) => reader.valueAt(dn, rules.key));
  for (const [i, dn] of outside.entries()) {
    const key = keys[i];
    const normalised = dnKey(dn);
    if (key !== undefined && normalised !== undefined) managers.set(normalised, key);
  }
  return entriesToBatch(entries, rules, managers, input.complete, holders);
}
