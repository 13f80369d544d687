import type { DirectoryReader } from './search.js';
import type { DirectoryEntry } from './values.js';

/**
 * Managers who left an `ldap` source with `changes: syncrepl` this pass
 * (deleted, moved out of `base`, or out of `filter`), and what their
 * reports' `manager` says now. No change to a report's own entry comes
 * with it (slapd 2.5, measured): with the refint overlay on `manager`, a
 * delete removes the reports' `manager` and a move rewrites it to the new
 * DN, and neither moves the report's entryCSN or modifyTimestamp; without
 * refint the reports keep the old DN, which names nobody now. So a sync from
 * a cookie returns no report, and they kept naming the leaver's key until the
 * next full pass, which reads what their `manager` says:
 *
 * - nothing, or a DN where no entry is (deleted, or moved without refint):
 *   no manager (`""`);
 * - the manager's DN now (moved with refint, or only out of the filter, the
 *   DN unchanged): the manager's key, read by DN outside the base.
 *
 * The same in one pass: the key of every manager who left is `unlinked`
 * (the merge, lifecycle/unlinked.ts, clears the manager field of the
 * source's people naming it who are not in the batch), and the reports naming
 * a leaver still in the naming context by their DN now are read again (in the
 * batch: their record resolves the DN as a full pass does). A deleted
 * manager whose DN a new entry took this pass: the reports of every entry new
 * to the cursor are read again too, so a report still naming that DN (no
 * refint) names the newcomer, as a full pass reads it.
 *
 * Only when the manager field is mapped from `manager` (DN syntax): another
 * attribute may hold a key, which a full pass keeps as it is.
 */
export async function leftManagers(reader: Pick<DirectoryReader, 'byEntryUuidInContext'>, input: {
  readonly managerAttribute: string | undefined;
  /** entryUUID -> key of the entries that left the source this pass (SyncChanges.removed, after withoutStillThere). */
  readonly removed: Readonly<Record<string, string>>;
  /** The keys gone this pass (a key another entry holds is not). */
  readonly gone: readonly string[];
  /** The entries the sync returned whose entryUUID the cursor did not know (added, or come into the base or filter). */
  readonly added: readonly DirectoryEntry[];
}): Promise<{ readonly unlinked: string[]; readonly managers: string[] }> {
  if (input.managerAttribute?.toLowerCase() !== 'manager') return { unlinked: [], managers: [] };
  const gone = new Set(input.gone);
  const left = Object.entries(input.removed).filter(([, key]) => gone.has(key));
  if (left.length === 0) return { unlinked: [], managers: [] };
  const still = await reader.byEntryUuidInContext(left.map(([uuid]) => uuid));
  return {
    unlinked: [...new Set(left.map(([, key]) => key))].sort(),
    managers: [...still.map((entry) => entry.dn), ...input.added.map((entry) => entry.dn)],
  };
}
