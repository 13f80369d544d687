import type { SourceConfig } from '../../config/types.js';
import type { Logger } from '../../connectors/types.js';
import { RosterError } from '../../core/errors.js';
import { warnInsecureConnection } from '../../connectors/directory/config.js';
import type { SourceBatch } from '../../core/types.js';
import { adChanges, keepTurnedDown, readAdIncremental, reportsOfRekeyed, unlinkedManagers, withoutHeldKeys } from './ad-gone.js';
import { goneEntries, managerAttribute } from './mapping.js';
import { entryKeys, ldapRekeyedDns, reportsOf } from './reports.js';
import { directoryBatch } from './batch.js';
import { filterGroups, groupChange } from './filter-groups.js';
import { GROUPS_FIELD, groupChangeSince, groupStamps } from './ldap-groups.js';
import { nextStamp, RESTORE_FIELD, restoreSince, stampNow, storedStamp } from './ldap-restore.js';
import { warnAttributesNoEntryHas } from './attribute-check.js';
import { filterForLdapts } from './filter-text.js';
import { incrementalFilter, nextCursor, parseCursor, usnRollback, withoutBoundary, type DirectoryCursor } from './cursor.js';
import { DirectoryReader } from './search.js';
import { DEFAULT_FILTERS, mappingRules, requestedAttributes, type MappingRules } from './settings.js';
import { cursorScope, isCursorOf, withScope } from './scope.js';
import { readSyncPass, type SyncCursor } from './sync.js';
import { firstValue, type DirectoryEntry } from './values.js';

export type PassMode = 'full' | 'incremental';

/** Sources whose connection was checked for TLS in this process (warnInsecureConnection). */
const warned = new Set<string>();

export interface DirectoryRead {
  readonly batch: SourceBatch;
  /** The cursor to store once the batch is ingested. */
  readonly cursor: DirectoryCursor | SyncCursor | undefined;
  /** What the pass was: an incremental pass without a usable cursor is a full one. */
  readonly mode: PassMode;
  /**
   * The cursor moves past the people this read reported gone (an `ad`
   * incremental pass): when the ingest holds them as truncated, keep the
   * previous cursor so the next read reports them again.
   */
  readonly keepCursorIfTruncated?: boolean;
  /** ldap: the entries the directory returned (the cursor keeps the newest: ldap-restore.ts). */
  readonly read?: readonly DirectoryEntry[];
}

/**
 * One pass over an ldap / ad source. Full: every entry under the base that
 * matches the filter, a complete batch (unless the source says
 * `complete: false`). Incremental: only the entries changed since `previous`
 * (uSNChanged for AD, modifyTimestamp for OpenLDAP), an incomplete batch
 * (see directoryBatch). An `ad` incremental pass from a cursor holding
 * objectGUID -> key (built by full passes) also reports who left the source
 * since (ad-gone.ts), as `changes: syncrepl` does for ldap (sync.ts); other
 * ldap passes see leavers in full passes only. An `ad` incremental pass
 * whose filter names a group that changed since the cursor reads in full
 * (filter-groups.ts): membership changes the group, not its members.
 */
export async function readDirectorySource(source: SourceConfig, options: {
  readonly mode: PassMode;
  readonly previous: unknown;
  readonly baseDir: string;
  /** Where a syncrepl pass says it had to refresh in full, an ad pass that it cannot see deletions or that a group change makes it read in full. */
  readonly log?: Pick<Logger, 'warn'> & Partial<Pick<Logger, 'info'>>;
  /** `lifecycle.timezone`: a FILETIME (accountExpires) at midnight there is read as the date before it (default UTC). */
  readonly timezone?: string;
}): Promise<DirectoryRead> {
  const rules = mappingRules(source, options.timezone);
  if (source.connection === undefined) throw new RosterError('config.invalid', `source "${source.id}" has no connection`);
  const filter = filterForLdapts(source.id, source.connection.filter ?? DEFAULT_FILTERS[rules.kind]);
  const reader = new DirectoryReader(source.id, source.connection, options.baseDir);
  if (options.log !== undefined && !warned.has(source.id)) {
    // Once a process: a source read every few minutes would say it at every pass.
    warned.add(source.id);
    warnInsecureConnection(source.connection, options.log, source.id);
  }
  // A cursor taken under another base, filter, key or mapping is not this source's: the pass reads in full (scope.ts).
  const scope = cursorScope(source, rules, filter);
  const stored = isCursorOf(options.previous, scope) ? options.previous : undefined;
  if (stored === undefined && options.mode === 'incremental' && options.previous !== undefined && options.previous !== null) {
    options.log?.info?.('directory source: the base, filter, key or attributes changed since the stored cursor; this pass reads in full', { source: source.id });
  }
  try {
    // ldap: membership of a group the filter names moves no person's modifyTimestamp or entryCSN (ldap-groups.ts).
    const groups = rules.kind === 'ldap' ? filterGroups(filter) : undefined;
    const stamps = groups === undefined ? undefined : await groupStamps(reader, groups);
    // ldap: a directory restored from an older backup brings back entries with old timestamps (ldap-restore.ts).
    let mode = options.mode;
    const incremental = mode === 'incremental' && stored !== undefined;
    const before = rules.kind === 'ldap' && incremental ? storedStamp(stored) : undefined;
    const now = rules.kind === 'ldap' ? await stampNow(reader, before) : undefined;
    const why = (incremental && groups !== undefined && stamps !== undefined ? groupChangeSince(stored, groups, stamps) : undefined)
      ?? (incremental && now !== undefined ? restoreSince(before, now) : undefined);
    if (why !== undefined) {
      options.log?.info?.('directory source: this incremental pass reads in full, as a full pass does', { source: source.id, reason: why });
      mode = 'full';
    }
    const { read: entries, ...read } = await readPass(reader, source, rules, filter, { ...options, mode, previous: stored });
    const stamp = now === undefined ? undefined : nextStamp(now, { read: entries ?? [], stored: before, full: read.mode === 'full' });
    const cursor = read.cursor === undefined ? undefined
      : { ...read.cursor, ...(stamps === undefined ? {} : { [GROUPS_FIELD]: stamps }), ...(stamp === undefined ? {} : { [RESTORE_FIELD]: stamp }) };
    return { ...read, cursor: withScope(cursor, scope) };
  } finally {
    await reader.close();
  }
}

async function readPass(reader: DirectoryReader, source: SourceConfig, rules: MappingRules, filter: string, options: {
  readonly mode: PassMode;
  readonly previous: unknown;
  readonly log?: Pick<Logger, 'warn'> & Partial<Pick<Logger, 'info'>>;
}): Promise<DirectoryRead> {
  if (source.connection === undefined) throw new RosterError('config.invalid', `source "${source.id}" has no connection`);
  if (rules.kind === 'ldap' && source.changes === 'syncrepl') {
    return await readSyncPass(reader, { source, rules, filter, mode: options.mode, previous: options.previous, log: options.log });
  }
  const root = rules.kind === 'ad' ? await reader.rootDse() : {};
  let previous = options.mode === 'incremental' ? parseCursor(options.previous, rules.kind) : undefined;
  if (previous?.kind === 'usn' && previous.server !== root.dsServiceName) previous = undefined;
  const rollback = previous?.kind === 'usn' ? usnRollback(previous, root) : undefined;
  if (rollback !== undefined) {
    // Changes made since then have USNs at or below the cursor: an incremental pass from it would skip them.
    options.log?.warn('directory source: this incremental pass reads in full, as a full pass does', { source: source.id, reason: rollback });
    previous = undefined;
  }
  const groups = rules.kind === 'ad' ? filterGroups(filter) : undefined;
  if (previous?.kind === 'usn' && groups !== undefined) {
    // People come into a memberOf filter and leave it without changing themselves: when a group it names changed, read everyone.
    const why = await groupChange(reader, groups, (BigInt(previous.usn) + 1n).toString(), root.defaultNamingContext);
    if (why !== undefined) {
      options.log?.info?.('directory source: this incremental pass reads in full, as a full pass does', { source: source.id, reason: why });
      previous = undefined;
    }
  }
  const attributes = requestedAttributes(rules);
  const cursorOf = (entries: readonly DirectoryEntry[], durationMs: number, keys?: Record<string, string>) =>
    nextCursor({
      kind: rules.kind, entries, previous, rootUsn: root.highestCommittedUSN, server: root.dsServiceName, durationMs,
      ...(root.invocationId === undefined ? {} : { invocation: root.invocationId }), ...(keys === undefined ? {} : { keys }),
    });
  // Only a complete source has leavers: a full pass of one with `complete: false` finds nobody missing, nor does its incremental pass.
  if (previous?.kind === 'usn' && previous.keys !== undefined && source.complete) {
    const read = await readAdIncremental(reader, {
      sourceId: source.id, rules, filter, incrementalFilter: incrementalFilter(filter, previous), attributes,
      since: (BigInt(previous.usn) + 1n).toString(), keys: previous.keys, root, bindDN: source.connection.bindDN, log: options.log,
    });
    // A manager whose key changed: their reports (unchanged themselves) are read again, to name the new key.
    const reports = await reportsOfRekeyed(reader, {
      filter, key: rules.key, managerAttribute: managerAttribute(rules), attributes, entries: read.entries, known: previous.keys,
    });
    const entries = [...read.entries, ...reports];
    const batch = await directoryBatch(reader, { rules, filter, entries, complete: false, delta: true });
    // An entry the batch turned down (a key another entry holds, several keys, a bad date) is bad input, not a key change:
    // it keeps the key it had, as one read without a key does, so the person who had that key is not made a leaver by a typo.
    const recorded = new Set(batch.records.map((record) => record.key));
    const usable = entries.filter((entry) => recorded.has(firstValue(entry, rules.key)));
    const changed = usable.length === read.entries.length && reports.length === 0 ? read.changes
      : adChanges(previous.keys, { entries: usable, left: read.left, key: rules.key });
    const changes = await withoutHeldKeys(reader, { filter, key: rules.key, changes: changed });
    // A deleted manager's reports lost their `manager` link without changing: the merge clears it (SourceBatch.unlinked).
    const unlinked = unlinkedManagers({ managerAttribute: managerAttribute(rules), deleted: read.deleted, known: previous.keys, gone: changes.gone });
    const gone = { gone: changes.gone, goneEntries: goneEntries(changes.gone, previous.keys), ...(unlinked.length === 0 ? {} : { unlinked }) };
    return {
      // Set whenever known entries left, even if nobody is gone (their keys held by others): the ingest judges them, and lifts a hold they caused.
      batch: changes.left === 0 && changes.gone.length === 0 ? batch : { ...batch, ...gone },
      cursor: cursorOf(read.entries, 0, changes.keys),
      mode: 'incremental',
      keepCursorIfTruncated: true,
    };
  }
  const started = performance.now();
  const found = await reader.search(previous === undefined ? filter : incrementalFilter(filter, previous), attributes);
  const durationMs = performance.now() - started;
  if (previous === undefined) warnAttributesNoEntryHas(options.log, source.id, rules, found, rules.kind === 'ldap');
  const changed = previous === undefined ? found : withoutBoundary(found, previous);
  // ldap by modifyTimestamp: the reports of the entries whose key changed (the cursor's entryUUID -> key map says), or of
  // every entry read when the cursor has no map (stored before it was kept), are read again to name the new key.
  const reports = previous?.kind === 'timestamp'
    ? await reportsOf(reader, { filter, managerAttribute: managerAttribute(rules), attributes, managers: ldapRekeyedDns(changed, rules.key, previous.keys), entries: changed })
    : [];
  const entries = reports.length === 0 ? changed : [...changed, ...reports];
  const complete = previous === undefined ? source.complete : false;
  let batch = await directoryBatch(reader, { rules, filter, entries, complete, delta: previous !== undefined });
  // A full ad pass builds the objectGUID -> key map its incremental passes find leavers by; one from an older cursor keeps none.
  let keys: Record<string, string> | undefined;
  if (rules.kind === 'ad' && previous === undefined && source.complete) {
    const stored = parseCursor(options.previous, 'ad');
    ({ batch, keys } = keepTurnedDown(batch, { entries: found, key: rules.key, known: stored?.kind === 'usn' ? stored.keys : undefined }));
  }
  // A full ldap pass builds the entryUUID -> key map; an incremental one brings it up to date, or keeps none from a cursor without it.
  if (rules.kind === 'ldap') {
    const known = previous?.kind === 'timestamp' ? previous.keys : undefined;
    keys = previous === undefined ? entryKeys(found, rules.key) : known === undefined ? undefined : entryKeys(entries, rules.key, known);
  }
  return {
    batch,
    cursor: cursorOf(found, durationMs, keys),
    mode: previous === undefined ? 'full' : 'incremental',
    read: found,
    // A full pass held as truncated keeps the cursor before it: the next pass from there reads again what it held (a
    // group change reads in full again), where one from this cursor, its map without the people held out, would not.
    keepCursorIfTruncated: previous === undefined && complete,
  };
}
