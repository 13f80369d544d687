import type { DirectoryReader } from './search.js';
import { firstValue, type DirectoryEntry } from './values.js';

/**
 * An `ldap` source whose directory went back in time: slapd restored from an
 * older backup (slapcat, slapadd into a fresh database), or a replica that
 * is behind promoted. The entries the backup brings back or reverts keep
 * their old modifyTimestamp and entryCSN, so an incremental pass by
 * modifyTimestamp never returns them, and neither does a sync from a cookie
 * when slapd's contextCSN is not behind the cookie (measured on slapd 2.5
 * with syncprov: a backup taken from the running server holds no
 * contextCSN, and slapd makes a new one, of the time it starts, so the
 * cookie is not refused). Each pass keeps on its cursor (the `directory`
 * field) what it saw of the directory before it read, and an incremental
 * pass reads in full when the directory went back:
 * - the naming context's entryUUID (the database's suffix entry): another
 *   one is another directory (rebuilt from an LDIF without entryUUIDs);
 * - its contextCSN, one value per server id (multi-provider): a server id
 *   whose contextCSN is below the cursor's, or missing while others are
 *   there, lost changes (a restore with the backup's contextCSN, `slapadd
 *   -w`, a replica behind). A write after the restore moves contextCSN on,
 *   and without syncprov slapd keeps none, so this alone is not enough;
 * - the entryCSN of the newest entries the source read (NEWEST of them, by
 *   entryUUID): an entryCSN never goes back, so one that did went back with
 *   its directory, whatever was written since. An entry gone since proves
 *   nothing (it may have been deleted). entryCSN is kept by slapd with or
 *   without syncprov (`lastmod on`, the default).
 * A value the bind cannot read is not compared (the pass behaves as before).
 */

/** The cursor's field that keeps what the pass saw of the directory. */
export const RESTORE_FIELD = 'directory';

/** How many of the newest entries read a cursor keeps, with their entryCSN. */
export const NEWEST = 8;

export interface DirectoryStamp {
  /** The naming context's entryUUID. */
  readonly uuid?: string;
  /** Server id -> the naming context's contextCSN for it. */
  readonly csn: Readonly<Record<string, string>>;
  /** entryUUID -> entryCSN of the newest entries read (at most NEWEST). */
  readonly newest: Readonly<Record<string, string>>;
}

/** `20261129024353.132891Z#000000#000#000000`: time, change count, server id, modification number. */
const CSN = /^(\d{14}(?:\.\d{1,6})?Z)#([0-9a-f]{6})#([0-9a-f]{3})#([0-9a-f]{6})$/i;

/** A CSN's parts compared in order (the time padded to microseconds), or undefined for a value that is not one. */
function csnParts(value: string): { readonly order: string; readonly sid: string } | undefined {
  const match = CSN.exec(value.trim());
  if (match === null) return undefined;
  const [, time, count, sid, mod] = match as unknown as [string, string, string, string, string];
  const padded = time.includes('.') ? time.slice(0, -1).padEnd(21, '0') : `${time.slice(0, -1)}.000000`;
  return { order: `${padded}#${count.toLowerCase()}#${mod.toLowerCase()}`, sid: sid.toLowerCase() };
}

/** Negative when CSN `a` is before `b`; undefined when either is not a CSN. */
export function compareCsn(a: string, b: string): number | undefined {
  const x = csnParts(a);
  const y = csnParts(b);
  if (x === undefined || y === undefined) return undefined;
  return x.order < y.order ? -1 : x.order > y.order ? 1 : 0;
}

/** contextCSN values -> server id -> the latest CSN of that server id (values that are not CSNs left out). */
export function csnBySid(values: readonly string[]): Record<string, string> {
  const bySid: Record<string, string> = {};
  for (const value of values) {
    const parts = csnParts(value);
    if (parts === undefined) continue;
    const kept = bySid[parts.sid];
    if (kept === undefined || (compareCsn(value, kept) ?? 0) > 0) bySid[parts.sid] = value.trim();
  }
  return bySid;
}

/** The stamp a cursor keeps, as stored (its `directory` field), or undefined. */
export function storedStamp(stored: unknown): DirectoryStamp | undefined {
  const field = typeof stored === 'object' && stored !== null ? (stored as Partial<Record<string, unknown>>)[RESTORE_FIELD] : undefined;
  if (typeof field !== 'object' || field === null) return undefined;
  const value = field as Partial<Record<string, unknown>>;
  const strings = (map: unknown): Record<string, string> => (typeof map === 'object' && map !== null && !Array.isArray(map)
    ? Object.fromEntries(Object.entries(map).filter((pair): pair is [string, string] => typeof pair[1] === 'string')) : {});
  return { ...(typeof value['uuid'] === 'string' ? { uuid: value['uuid'] } : {}), csn: strings(value['csn']), newest: strings(value['newest']) };
}

/** What the directory shows now of a stored stamp: the naming context's entryUUID and contextCSN, and the stored newest entries' entryCSN now. */
export async function stampNow(reader: Pick<DirectoryReader, 'namingContext' | 'fewByEntryUuid'>, stored: DirectoryStamp | undefined): Promise<{
  readonly uuid?: string; readonly csn: Record<string, string>; readonly newest: Record<string, string>;
}> {
  const context = await reader.namingContext(['entryUUID', 'contextCSN']);
  const uuid = context === undefined ? '' : firstValue(context, 'entryUUID').toLowerCase();
  const csn = csnBySid(context?.values.get('contextcsn') ?? []);
  const newest: Record<string, string> = {};
  const uuids = Object.keys(stored?.newest ?? {});
  if (uuids.length > 0) {
    for (const entry of await reader.fewByEntryUuid(uuids, ['entryCSN'], context?.dn)) {
      const id = firstValue(entry, 'entryUUID').toLowerCase();
      const entryCsn = firstValue(entry, 'entryCSN');
      if (id !== '' && entryCsn !== '') newest[id] = entryCsn;
    }
  }
  return { ...(uuid === '' ? {} : { uuid }), csn, newest };
}

/** Why an incremental pass from `stored` must read in full, the directory being as `now` shows; undefined when it need not. */
export function restoreSince(stored: DirectoryStamp | undefined, now: { readonly uuid?: string; readonly csn: Readonly<Record<string, string>>; readonly newest: Readonly<Record<string, string>> }): string | undefined {
  if (stored === undefined) return undefined;
  if (stored.uuid !== undefined && now.uuid !== undefined && stored.uuid !== now.uuid) {
    return `the naming context's entryUUID changed since the cursor (${stored.uuid} -> ${now.uuid}): the directory was rebuilt, or is another one`;
  }
  // No contextCSN now (no syncprov, or hidden from the bind): nothing to compare.
  if (Object.keys(now.csn).length > 0) {
    for (const [sid, csn] of Object.entries(stored.csn)) {
      const current = now.csn[sid];
      if (current === undefined) return `the directory's contextCSN has no value for server id ${sid} since the cursor (it had ${csn}): it went back (restored from a backup, or a replica behind)`;
      if ((compareCsn(current, csn) ?? 0) < 0) return `the directory's contextCSN for server id ${sid} went back since the cursor (${csn} -> ${current}): restored from a backup, or a replica behind`;
    }
  }
  for (const [uuid, csn] of Object.entries(stored.newest)) {
    const current = now.newest[uuid];
    if (current !== undefined && (compareCsn(current, csn) ?? 0) < 0) {
      return `the entry ${uuid}, read at entryCSN ${csn}, is at ${current}: the directory went back (restored from a backup, or a replica behind)`;
    }
  }
  return undefined;
}

/**
 * The stamp to keep on the cursor after a pass: the naming context as read
 * before the pass, and the NEWEST entries by entryCSN among those the pass
 * read and (an incremental pass) the stored ones. A full pass keeps only its
 * own: a stored entry newer than all it read was deleted, or went back.
 */
export function nextStamp(now: { readonly uuid?: string; readonly csn: Readonly<Record<string, string>> }, input: {
  readonly read: readonly DirectoryEntry[]; readonly stored: DirectoryStamp | undefined; readonly full: boolean;
}): DirectoryStamp {
  const candidates = new Map<string, string>(input.full ? [] : Object.entries(input.stored?.newest ?? {}));
  for (const entry of input.read) {
    const uuid = firstValue(entry, 'entryUUID').toLowerCase();
    const csn = firstValue(entry, 'entryCSN');
    if (uuid === '' || csnParts(csn) === undefined) continue;
    const kept = candidates.get(uuid);
    if (kept === undefined || (compareCsn(csn, kept) ?? 1) > 0) candidates.set(uuid, csn);
  }
  const newest = [...candidates].sort(([, a], [, b]) => -(compareCsn(a, b) ?? 0)).slice(0, NEWEST);
  return { ...(now.uuid === undefined ? {} : { uuid: now.uuid }), csn: { ...now.csn }, newest: Object.fromEntries(newest) };
}
