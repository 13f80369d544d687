import type { SourceConfig } from '../../config/types.js';
import { resultCodeOf, ResultCode } from '../../connectors/directory/errors.js';
import { SYNC_REFRESH_REQUIRED } from '../../connectors/directory/sync-controls.js';
import type { Logger } from '../../connectors/types.js';
import { directoryBatch } from './batch.js';
import { goneEntries, managerAttribute } from './mapping.js';
import { rekeyedDns, reportsOf } from './reports.js';
import type { DirectoryRead, PassMode } from './read.js';
import type { DirectoryReader, SyncRead } from './search.js';
import { requestedAttributes, type MappingRules } from './settings.js';
import { warnAttributesNoEntryHas } from './attribute-check.js';
import { withLeftOut, withoutStillThere } from './sync-check.js';
import { leftManagers } from './sync-managers.js';
import { keepTurnedDownInFull, keepTurnedDownKeys, recordedLines } from './sync-turned-down.js';
import { firstValue, type DirectoryEntry } from './values.js';

/**
 * The cursor of an ldap source with `changes: syncrepl`, stored as
 * `cursor:source:<id>`: the server's sync cookie (base64) and, for every
 * entry read with a key, entryUUID -> key. A deletion names an entryUUID
 * only, so the keys say who left; a key that changes leaves its old holder
 * gone too, as a full pass would find.
 */
export interface SyncCursor {
  readonly kind: 'sync';
  readonly cookie: string;
  readonly keys: Readonly<Record<string, string>>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A stored value as a sync cursor, or undefined (then the pass refreshes in full). */
export function parseSyncCursor(value: unknown): SyncCursor | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const cursor = value as Partial<Record<string, unknown>>;
  const keys = cursor['keys'];
  if (cursor['kind'] !== 'sync' || typeof cursor['cookie'] !== 'string' || cursor['cookie'] === '' || !BASE64.test(cursor['cookie'])) return undefined;
  if (typeof keys !== 'object' || keys === null) return undefined;
  const pairs = Object.entries(keys).filter((pair): pair is [string, string] => UUID.test(pair[0]) && typeof pair[1] === 'string' && pair[1] !== '');
  return { kind: 'sync', cookie: cursor['cookie'], keys: Object.fromEntries(pairs) };
}

export interface SyncChanges {
  /** Entries added or changed (to read as records). */
  readonly entries: readonly DirectoryEntry[];
  /** Keys no entry holds any more: deleted, moved out of the base or filter, or given another key. */
  readonly gone: readonly string[];
  /** entryUUID -> key after the sync. */
  readonly keys: Record<string, string>;
  /** entryUUIDs the server reported gone (for figures). */
  readonly deleted: number;
  /** Those entryUUIDs with the keys they had. */
  readonly removed: Readonly<Record<string, string>>;
}

/**
 * What a sync refresh from a cookie changed, given the keys known before.
 * With refreshDeletes (the server's session log) deletions are listed:
 * Sync State `delete` or a syncIdSet of deleted entryUUIDs. Without it the
 * server listed who is present (Sync State `present`, a syncIdSet with
 * refreshDeletes false, and every entry it sent), and every other entry is
 * gone (RFC 4533 3.3.1). An entry read without a key keeps the key it had.
 */
export function syncChanges(previous: Readonly<Record<string, string>>, read: SyncRead, rules: Pick<MappingRules, 'key'>): SyncChanges {
  const keys: Record<string, string> = { ...previous };
  const candidates = new Set<string>();
  const removed = new Set<string>();
  const present = new Set<string>();
  const entries: DirectoryEntry[] = [];
  for (const synced of read.entries) {
    if (synced.state === 'delete') {
      removed.add(synced.uuid);
      continue;
    }
    present.add(synced.uuid);
    if (synced.state === 'present') continue;
    entries.push(synced.entry);
    const key = firstValue(synced.entry, rules.key);
    if (key === '') continue;
    const before = keys[synced.uuid];
    if (before !== undefined && before !== key) candidates.add(before);
    keys[synced.uuid] = key;
  }
  for (const info of read.infos) {
    if (info.kind !== 'syncIdSet') continue;
    for (const uuid of info.uuids) (info.refreshDeletes ? removed : present).add(uuid);
  }
  if (!read.refreshDeletes) {
    for (const uuid of Object.keys(keys)) if (!present.has(uuid)) removed.add(uuid);
  }
  let deleted = 0;
  const removedKeys: Record<string, string> = {};
  for (const uuid of removed) {
    if (present.has(uuid) && read.refreshDeletes) continue;
    const key = keys[uuid];
    if (key === undefined) continue;
    deleted += 1;
    candidates.add(key);
    removedKeys[uuid] = key;
    delete keys[uuid];
  }
  const held = new Set(Object.values(keys));
  return { entries, gone: [...candidates].filter((key) => !held.has(key)).sort(), keys, deleted, removed: removedKeys };
}

/** SourceBatch.unlinked: the keys of managers who left that are still gone once turned-down entries kept theirs (keepTurnedDownKeys). */
function unlinkedOf(unlinked: readonly string[], gone: readonly string[]): { readonly unlinked?: readonly string[] } {
  const still = unlinked.filter((key) => gone.includes(key));
  return still.length === 0 ? {} : { unlinked: still };
}

/** The server cannot use the cookie: e-syncRefreshRequired, or (slapd, a cookie ahead of its data) unwillingToPerform. */
function cookieRefused(error: unknown): boolean {
  for (let cause = error; cause !== undefined && cause !== null; cause = (cause as { cause?: unknown }).cause) {
    const code = resultCodeOf(cause);
    if (code === SYNC_REFRESH_REQUIRED || code === ResultCode.unwillingToPerform) return true;
  }
  return false;
}

/**
 * One pass of an ldap source with `changes: syncrepl`. Full (or no usable
 * cursor): a sync without a cookie, every entry, a complete batch as a full
 * pass gives. Incremental: a sync from the stored cookie, only what changed
 * since, an incomplete batch whose `gone` keys are people deleted from the
 * directory (lifecycle/missing.ts treats them as gone from a snapshot, under
 * the same maxMissing limit). A cookie the server refuses falls back to a
 * refresh in full, with a warning.
 */
export async function readSyncPass(reader: DirectoryReader, input: {
  readonly source: SourceConfig;
  readonly rules: MappingRules;
  readonly filter: string;
  readonly mode: PassMode;
  readonly previous: unknown;
  readonly log?: Pick<Logger, 'warn'> | undefined;
}): Promise<DirectoryRead> {
  const { source, rules, filter } = input;
  const attributes = requestedAttributes(rules);
  let previous = input.mode === 'incremental' ? parseSyncCursor(input.previous) : undefined;
  let read: SyncRead;
  try {
    read = await reader.sync(filter, attributes, previous === undefined ? undefined : Buffer.from(previous.cookie, 'base64'));
  } catch (error) {
    if (previous === undefined || !cookieRefused(error)) throw error;
    input.log?.warn('directory source: the server refused the sync cookie; reading every entry again (a full refresh)', {
      source: source.id, reason: error instanceof Error ? error.message : String(error),
    });
    previous = undefined;
    read = await reader.sync(filter, attributes, undefined);
  }
  const cookieOf = (fallback: string | undefined): string | undefined => (read.cookie !== undefined && read.cookie.length > 0 ? read.cookie.toString('base64') : fallback);
  if (previous === undefined) {
    const refreshed = read.entries.filter((synced) => synced.state !== 'delete' && synced.state !== 'present');
    // Only a complete source takes the people a refresh left out for leavers; another gets them with a later sync (sync-check.ts).
    const entries = source.complete ? await withLeftOut(reader, { sourceId: source.id, filter, attributes, refreshed, log: input.log }) : refreshed;
    warnAttributesNoEntryHas(input.log, source.id, rules, entries.map((synced) => synced.entry));
    const keys: Record<string, string> = {};
    for (const synced of entries) {
      const key = firstValue(synced.entry, rules.key);
      if (key !== '') keys[synced.uuid] = key;
    }
    const cookie = cookieOf(undefined);
    const batch = await directoryBatch(reader, { rules, filter, entries: entries.map((synced) => synced.entry), complete: source.complete, delta: false });
    // The stored cursor's keys, whatever the mode: an entry turned down now keeps the key it had, so a typo makes no leaver.
    const kept = keepTurnedDownInFull(batch, { entries, keys, known: source.complete ? parseSyncCursor(input.previous)?.keys : undefined });
    return {
      batch: kept.batch,
      cursor: cookie === undefined ? undefined : { kind: 'sync', cookie, keys: kept.keys },
      mode: 'full',
      read: entries.map((synced) => synced.entry),
    };
  }
  const synced = await withoutStillThere(reader, filter, syncChanges(previous.keys, read, rules));
  const uuids = new Map(read.entries.map((entry) => [entry.entry, entry.uuid] as const));
  const known = previous.keys;
  // A manager who left: their reports' `manager` changed (refint) or dangles without their entry changing (sync-managers.ts).
  const left = source.complete ? await leftManagers(reader, {
    managerAttribute: managerAttribute(rules), removed: synced.removed, gone: synced.gone,
    added: synced.entries.filter((entry) => known[uuids.get(entry) ?? ''] === undefined),
  }) : { unlinked: [], managers: [] };
  // A manager whose key changed: their reports (unchanged themselves, so not in the sync) are read again, to name the new key.
  const reports = await reportsOf(reader, {
    filter, managerAttribute: managerAttribute(rules), attributes, entries: synced.entries,
    managers: [...rekeyedDns(synced.entries, rules.key, (entry) => known[uuids.get(entry) ?? '']), ...left.managers],
  });
  // The reports come after the sync's entries: the batch's lines 1..n are still the sync's entries (keepTurnedDownKeys).
  const batch = await directoryBatch(reader, { rules, filter, entries: [...synced.entries, ...reports], complete: false, delta: true });
  const changes = keepTurnedDownKeys(synced, read, previous.keys, recordedLines(batch));
  return {
    // Set whenever the server reported deletions, even if nobody is gone (their keys held again): the ingest judges them, and lifts a hold they caused.
    // A source with `complete: false` has no leavers (its full refresh marks nobody missing either).
    batch: !source.complete || (changes.deleted === 0 && changes.gone.length === 0) ? batch
      : { ...batch, gone: changes.gone, goneEntries: goneEntries(changes.gone, previous.keys), ...unlinkedOf(left.unlinked, changes.gone) },
    cursor: { kind: 'sync', cookie: cookieOf(previous.cookie) ?? previous.cookie, keys: changes.keys },
    mode: 'incremental',
    read: synced.entries,
  };
}
