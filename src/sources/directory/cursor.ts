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
 * another DC is not used.
 *
 * OpenLDAP: `at` is the latest modifyTimestamp seen. Timestamps have one
 * second granularity, so the next pass asks for `modifyTimestamp>=at` and
 * skips the entries already seen at exactly `at` (`boundary`: normalised DN
 * -> entryCSN, so an entry changed again within that second is not skipped).
 */
export type DirectoryCursor =
  | { readonly kind: 'usn'; readonly usn: string; readonly server?: string }
  | { readonly kind: 'timestamp'; readonly at: string; readonly boundary: Readonly<Record<string, string>> };

const USN = /^\d+$/;
const TIMESTAMP = /^\d{14}(?:[.,]\d{1,6})?Z$/;

/** A stored value as a cursor this kind of source can use, or undefined (then the pass is a full one). */
export function parseCursor(value: unknown, kind: DirectoryKind): DirectoryCursor | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const cursor = value as Partial<Record<string, unknown>>;
  if (kind === 'ad' && cursor['kind'] === 'usn' && typeof cursor['usn'] === 'string' && USN.test(cursor['usn'])) {
    const server = typeof cursor['server'] === 'string' ? cursor['server'] : undefined;
    return { kind: 'usn', usn: cursor['usn'], ...(server === undefined ? {} : { server }) };
  }
  const boundary = cursor['boundary'];
  if (kind === 'ldap' && cursor['kind'] === 'timestamp' && typeof cursor['at'] === 'string' && TIMESTAMP.test(cursor['at'])
    && typeof boundary === 'object' && boundary !== null) {
    const entries = Object.entries(boundary).filter((pair): pair is [string, string] => typeof pair[1] === 'string');
    return { kind: 'timestamp', at: cursor['at'], boundary: Object.fromEntries(entries) };
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
    const dn = dnKey(entry.dn) ?? entry.dn;
    const seen = cursor.boundary[dn];
    return seen === undefined || firstValue(entry, 'modifyTimestamp') !== cursor.at || seen !== firstValue(entry, 'entryCSN');
  });
}

/**
 * The cursor after a pass that read `entries` (all entries the search
 * returned, before any boundary filtering). AD: the rootDSE's USN read before
 * the pass, else the highest uSNChanged seen, else the previous cursor.
 * OpenLDAP: the latest modifyTimestamp seen with its boundary entries, else
 * the previous cursor.
 */
export function nextCursor(input: {
  readonly kind: DirectoryKind;
  readonly entries: readonly DirectoryEntry[];
  readonly previous: DirectoryCursor | undefined;
  readonly rootUsn?: string;
  readonly server?: string;
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
    return { kind: 'usn', usn: usn.toString(), ...(input.server === undefined ? {} : { server: input.server }) };
  }
  let latest: { at: string; ms: number } | undefined;
  for (const entry of entries) {
    const at = firstValue(entry, 'modifyTimestamp');
    const iso = TIMESTAMP.test(at) ? generalizedTimeToIso(at) : undefined;
    if (iso === undefined) continue;
    const ms = Date.parse(iso);
    if (latest === undefined || ms > latest.ms) latest = { at, ms };
  }
  if (latest === undefined) return previous;
  const boundary: Record<string, string> = {};
  for (const entry of entries) {
    if (firstValue(entry, 'modifyTimestamp') === latest.at) boundary[dnKey(entry.dn) ?? entry.dn] = firstValue(entry, 'entryCSN');
  }
  // Same second as before: keep what was seen then, with what was seen now winning.
  const merged = previous?.kind === 'timestamp' && previous.at === latest.at ? { ...previous.boundary, ...boundary } : boundary;
  return { kind: 'timestamp', at: latest.at, boundary: merged };
}
