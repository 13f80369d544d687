import type { SourceBatch, SourceProblem } from '../../core/types.js';
import type { SyncRead } from './search.js';
import type { Refreshed } from './sync-check.js';
import type { SyncChanges } from './sync.js';

/**
 * An entry a pass turns down (its key also held by another entry, several
 * keys, a bad date) is bad input, not a key change: the person who had its
 * key at the last pass must not become a leaver by a typo, and the cursor
 * must still know whose entry it is. (An entry read without a key keeps its
 * key the same way, in syncChanges.) The batch's records carry their line:
 * the entry's place in the pass, from 1.
 */

/** The lines of the entries a batch made records of. */
export function recordedLines(batch: SourceBatch): Set<number> {
  return new Set(batch.records.flatMap((record) => (record.line === undefined ? [] : [record.line])));
}

/** A sync from a cookie: every entry the batch turned down keeps, in the changes' keys, the key it had; that key is not gone. */
export function keepTurnedDownKeys(changes: SyncChanges, read: SyncRead, previous: Readonly<Record<string, string>>, recorded: ReadonlySet<number>): SyncChanges {
  const uuids = new Map(read.entries.map((synced) => [synced.entry, synced.uuid] as const));
  const keys = { ...changes.keys };
  let kept = false;
  changes.entries.forEach((entry, index) => {
    const uuid = uuids.get(entry);
    if (recorded.has(index + 1) || uuid === undefined) return;
    const before = previous[uuid];
    if (before === undefined || keys[uuid] === before) return;
    keys[uuid] = before;
    kept = true;
  });
  if (!kept) return changes;
  const held = new Set(Object.values(keys));
  return { ...changes, keys, gone: changes.gone.filter((key) => !held.has(key)) };
}

/**
 * A full refresh (a complete batch: people missing from it are gone): every
 * entry the batch turned down that `known` (the stored cursor's entryUUID ->
 * key) names keeps that key in `keys`, and the batch gets a problem naming
 * it, so its person is not missing. Without `known`, the batch and keys as
 * they are.
 */
export function keepTurnedDownInFull(batch: SourceBatch, input: {
  readonly entries: readonly Refreshed[];
  readonly keys: Readonly<Record<string, string>>;
  readonly known: Readonly<Record<string, string>> | undefined;
}): { readonly batch: SourceBatch; readonly keys: Record<string, string> } {
  const keys = { ...input.keys };
  if (input.known === undefined) return { batch, keys };
  const recorded = recordedLines(batch);
  const named = new Set([...batch.records.map((record) => record.key), ...batch.problems.flatMap((problem) => (problem.key ? [problem.key] : []))]);
  const kept: SourceProblem[] = [];
  input.entries.forEach((synced, index) => {
    const before = input.known?.[synced.uuid];
    if (before === undefined || recorded.has(index + 1)) return;
    keys[synced.uuid] = before;
    if (named.has(before)) return;
    named.add(before);
    // `entry` set: a directory entry's problem, printed by key and DN, not by its line in the answer (cli/plan-format.ts).
    kept.push({
      line: index + 1, key: before, entry: synced.uuid.toLowerCase(),
      message: `entry ${synced.entry.dn} had "${before}" as its key at the last pass and cannot be used in this one: "${before}" is not taken for gone`,
    });
  });
  if (kept.length === 0) return { batch, keys };
  return { batch: { ...batch, problems: [...batch.problems, ...kept].sort((a, b) => a.line - b.line) }, keys };
}
