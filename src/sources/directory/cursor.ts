import { escapeFilterValue } from '../../connectors/directory/escape.js';
import { dnKey } from './mapping.js';
import type { DirectoryKind } from './settings.js';
import { firstValue, generalizedTimeToIso, type DirectoryEntry } from './values.js';

/**
 * Where the last pass of a directory source got to, stored as
 * `cursor:source:<id>` in the state store.
 *
 * Active Directory: `usn` is the DC's highestCommittedUSN read from the
 * rootDSE just before the pass (every later change has a higher uSNChanged);
 * USNs belong to one DC, so the DC (`dsServiceName`) is kept and a cursor of
 * another DC is not used. `keys` (objectGUID -> key of every entry a full
 * pass read with both, kept up to date by incremental passes) lets an
 * incremental pass name who left (ad-gone.ts); a cursor without it (stored
 * before, or by a pass that could not build it) gives incremental passes
 * that see no leavers until a full pass builds it. About 55 bytes a person
 * (5.5 MB for 100,000), written after every pass.
 *
 * OpenLDAP: the next pass asks for `modifyTimestamp>=at`. A paged pass
 * reads page after page, so an entry on a page already read can change
 * (at any second since the pass started) while a later page is read, and
 * later pages can show later timestamps. So `at` never passes the pass's
 * start: it is the latest modifyTimestamp seen minus the pass's duration
 * (the search, measured by Roster) and one second more for the timestamps'
 * one-second granularity, and never earlier than the previous `at`.
 * `boundary` (normalised DN -> entryCSN) holds every entry read with a
 * modifyTimestamp >= `at`; the next pass skips an entry the boundary has
 * with the same entryCSN (read before, unchanged since), whatever its
 * modifyTimestamp. An entry without an entryCSN is never skipped. (A cursor
 * stored before, whose boundary holds only the entries at exactly `at`, is
 * still right under this rule.) `keys` (entryUUID -> key of every entry a
 * full pass read with both, brought up to date by incremental passes for the
 * entries they read) tells an incremental pass whose key changed, so it reads
 * again the reports of those alone (reports.ts); a cursor without it (stored
 * before it was kept) reads again the reports of every entry read, until a
 * full pass stores it. The same form as AD's `keys` (no bound: one pair a
 * person): 42 bytes and the key a person in JSON, 4.9 MB for 100,000 people
 * keyed like `E000001`, written after every pass.
 */
export type DirectoryCursor =
  | {
    readonly kind: 'usn'; readonly usn: string; readonly server?: string;
    /** The DC's invocationId when the cursor was taken: a restore from a backup gives the DC a new one (and takes its USNs back). */
    readonly invocation?: string;
    readonly keys?: Readonly<Record<string, string>>;
  }
  | {
    readonly kind: 'timestamp'; readonly at: string; readonly boundary: Readonly<Record<string, string>>;
    readonly keys?: Readonly<Record<string, string>>;
  };

const USN = /^\d+$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{14}(?:[.,]\d{1,6})?Z$/;

/** A stored value as a cursor this kind of source can use, or undefined (then the pass is a full one). */
export function parseCursor(value: unknown, kind: DirectoryKind): DirectoryCursor | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const cursor = value as Partial<Record<string, unknown>>;
  if (kind === 'ad' && cursor['kind'] === 'usn' && typeof cursor['usn'] === 'string' && USN.test(cursor['usn'])) {
    const server = typeof cursor['server'] === 'string' ? cursor['server'] : undefined;
    const invocation = typeof cursor['invocation'] === 'string' && GUID.test(cursor['invocation']) ? cursor['invocation'] : undefined;
    const keys = guidKeys(cursor['keys']);
    return {
      kind: 'usn', usn: cursor['usn'], ...(server === undefined ? {} : { server }), ...(invocation === undefined ? {} : { invocation }),
      ...(keys === undefined ? {} : { keys }),
    };
  }
  const boundary = cursor['boundary'];
  if (kind === 'ldap' && cursor['kind'] === 'timestamp' && typeof cursor['at'] === 'string' && TIMESTAMP.test(cursor['at'])
    && typeof boundary === 'object' && boundary !== null) {
    const entries = Object.entries(boundary).filter((pair): pair is [string, string] => typeof pair[1] === 'string');
    const keys = guidKeys(cursor['keys']);
    return { kind: 'timestamp', at: cursor['at'], boundary: Object.fromEntries(entries), ...(keys === undefined ? {} : { keys }) };
  }
  return undefined;
}

/**
 * A stored objectGUID (AD) or entryUUID (OpenLDAP) -> key map: the pairs that are one (a GUID or UUID in lower case, a key
 * that is not empty), or undefined when there is none.
 */
function guidKeys(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value).filter((pair): pair is [string, string] => GUID.test(pair[0]) && typeof pair[1] === 'string' && pair[1] !== ''));
}

/**
 * Why an AD cursor of this DC cannot be read on from (the pass must be a
 * full one), or undefined. A DC restored from a backup takes its USNs back to
 * the backup's and gets a new invocationId: the changes made since then get
 * USNs the cursor already passed, and `uSNChanged>cursor` would never return
 * them. Seen as an invocationId other than the cursor's, or a
 * highestCommittedUSN below the cursor's USN.
 */
export function usnRollback(cursor: { readonly usn: string; readonly invocation?: string }, root: {
  readonly highestCommittedUSN?: string; readonly invocationId?: string;
}): string | undefined {
  if (cursor.invocation !== undefined && root.invocationId !== undefined && cursor.invocation !== root.invocationId) {
    return `the DC's invocationId changed since the cursor (${cursor.invocation} -> ${root.invocationId}): it was restored from a backup, and changes since may have USNs the cursor passed`;
  }
  const usn = root.highestCommittedUSN;
  if (usn !== undefined && USN.test(usn) && BigInt(usn) < BigInt(cursor.usn)) {
    return `the DC's highestCommittedUSN (${usn}) is below the cursor's (${cursor.usn}): its USNs went back (restored from a backup), and changes since have USNs the cursor passed`;
  }
  return undefined;
}

/** The source's filter narrowed to entries changed since the cursor. */
export function incrementalFilter(filter: string, cursor: DirectoryCursor): string {
  const since = cursor.kind === 'usn'
    ? `(uSNChanged>=${(BigInt(cursor.usn) + 1n).toString()})`
    : `(modifyTimestamp>=${escapeFilterValue(cursor.at)})`;
  return `(&${filter}${since})`;
}

/** Entries of an incremental pass, without the ones the cursor's boundary says were already read unchanged. */
export function withoutBoundary(entries: readonly DirectoryEntry[], cursor: DirectoryCursor): DirectoryEntry[] {
  if (cursor.kind !== 'timestamp') return [...entries];
  return entries.filter((entry) => {
    const csn = firstValue(entry, 'entryCSN');
    return csn === '' || cursor.boundary[dnKey(entry.dn) ?? entry.dn] !== csn;
  });
}

/** Epoch milliseconds of a GeneralizedTime, or undefined. */
function timeOf(value: string): number | undefined {
  const iso = generalizedTimeToIso(value);
  return iso === undefined ? undefined : Date.parse(iso);
}

/** Epoch milliseconds -> GeneralizedTime to the second below (`20261127095958Z`). */
function toGeneralizedTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace(/[-T:]/g, '')}Z`;
}

/**
 * The cursor after a pass that read `entries` (all entries the search
 * returned, before any boundary filtering). AD: the rootDSE's USN read before
 * the pass, else the highest uSNChanged seen, else the previous cursor.
 * OpenLDAP: the latest modifyTimestamp seen minus (`durationMs` + 1 s),
 * not before the previous cursor, with every entry read at or after it as
 * the boundary; else (no timestamp seen) the previous cursor.
 */
export function nextCursor(input: {
  readonly kind: DirectoryKind;
  readonly entries: readonly DirectoryEntry[];
  readonly previous: DirectoryCursor | undefined;
  readonly rootUsn?: string;
  readonly server?: string;
  /** AD: the DC's invocationId (kept on the cursor). */
  readonly invocation?: string;
  /** How long the pass's search took (OpenLDAP), in milliseconds. */
  readonly durationMs?: number;
  /** AD: objectGUID -> key after the pass (kept only on a cursor of this pass's USN); OpenLDAP: entryUUID -> key, kept on the new cursor. */
  readonly keys?: Readonly<Record<string, string>>;
}): DirectoryCursor | undefined {
  const { kind, entries, previous } = input;
  if (kind === 'ad') {
    let usn = input.rootUsn !== undefined && USN.test(input.rootUsn) ? BigInt(input.rootUsn) : undefined;
    if (usn === undefined) {
      for (const entry of entries) {
        const value = firstValue(entry, 'uSNChanged');
        if (USN.test(value) && (usn === undefined || BigInt(value) > usn)) usn = BigInt(value);
      }
    }
    if (usn === undefined) return previous;
    if (previous?.kind === 'usn' && BigInt(previous.usn) > usn && previous.server === input.server) usn = BigInt(previous.usn);
    return {
      kind: 'usn', usn: usn.toString(), ...(input.server === undefined ? {} : { server: input.server }),
      ...(input.invocation === undefined ? {} : { invocation: input.invocation }), ...(input.keys === undefined ? {} : { keys: input.keys }),
    };
  }
  // Each entry's time parsed once (a full pass of 50,000 spent 0.3 s parsing them twice).
  const times = entries.map((entry) => timeOf(firstValue(entry, 'modifyTimestamp')));
  let latest: number | undefined;
  for (const ms of times) if (ms !== undefined && (latest === undefined || ms > latest)) latest = ms;
  if (latest === undefined) return previous?.kind === 'timestamp' && input.keys !== undefined ? { ...previous, keys: input.keys } : previous;
  const duration = Math.max(0, Math.ceil(input.durationMs ?? 0));
  let from = Math.floor((latest - duration - 1000) / 1000) * 1000;
  let at = toGeneralizedTime(from);
  const previousAt = previous?.kind === 'timestamp' ? timeOf(previous.at) : undefined;
  if (previous?.kind === 'timestamp' && previousAt !== undefined && previousAt >= from) {
    // Never back before the previous cursor: this pass read nothing older than it.
    from = previousAt;
    at = previous.at;
  }
  const boundary: Record<string, string> = {};
  for (const [i, entry] of entries.entries()) {
    const ms = times[i];
    if (ms === undefined || ms < from) continue;
    const csn = firstValue(entry, 'entryCSN');
    if (csn !== '') boundary[dnKey(entry.dn) ?? entry.dn] = csn;
  }
  // This pass searched at least everything changed at or after `at`, so its boundary is complete
  // on its own (the previous one is not merged in).
  return { kind: 'timestamp', at, boundary, ...(input.keys === undefined ? {} : { keys: input.keys }) };
}
