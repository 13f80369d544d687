import type { SourceConfig } from '../config/types.js';
import type { Diagnostic, Identity, IdentityKey, SourceBatch, SourceProblem, SourceRecord } from '../core/types.js';
import { foldKey } from './respelled.js';

/**
 * A directory entry whose key changed (employeeNumber E1029 -> E2029: an HR id
 * reassigned, a typo fixed) is the same person: the entry id (entryUUID,
 * objectGUID: SourceRecord.entry, Identity.sourceEntry) names them for good,
 * as Entra ID and Okta anchor directory people on it. With `keyChanges:
 * follow` (the default) the identity continues under the new key, as a
 * `fields.previousKey` continuation does (continued.ts), but the employment
 * goes on: a mover `identity.rekeyed`, never a rehire. `newPerson` reads the
 * new key as a joiner and the old one as a leaver.
 */
export const KEY_REKEYED = 'source.key_rekeyed';
/** A key moved to another entry that is, or holds, a stored person (a swap, an old key taken in the same pass): the rows are held. */
export const KEY_MOVED = 'source.key_moved';

/** A record whose entry is a stored identity's under another key. */
export interface EntryClaim {
  readonly record: SourceRecord;
  /** The identity's current key (its id, or the key it was continued as). */
  readonly previous: string;
  readonly identity: Identity;
}

export interface EntryClaims {
  readonly claims: readonly EntryClaim[];
  /** Rows held: left out of the batch, kept as problem rows of their stored person (nobody missing, nothing created). */
  readonly held: ReadonlySet<SourceRecord>;
  readonly problems: readonly SourceProblem[];
  readonly diagnostics: readonly Diagnostic[];
}

export function followsKeyChanges(source: SourceConfig): boolean {
  return (source.type === 'ldap' || source.type === 'ad') && source.keyChanges !== 'newPerson';
}

const NONE: EntryClaims = { claims: [], held: new Set(), problems: [], diagnostics: [] };

/**
 * The records whose directory entry is a stored identity's of the source under
 * another key, and the rows held because a key moved between entries. Pure.
 * `mine` resolves a key to the source's stored key row; `currentOf` maps an
 * identity id to its current key (continued.ts).
 * - A record whose key no stored person of the source has, from the entry of
 *   exactly one stored identity: that identity continues under the new key,
 *   unless another row of the batch, from another entry, holds its current key
 *   (the old key taken in the same pass): then both rows are held.
 * - A record whose key is a stored person's of another entry, from the entry of
 *   another stored person (a swap A <-> B, or B given A's old key while A took
 *   a new one): held, since following would make one identity two people.
 */
export function entryClaims(
  batch: SourceBatch, existing: ReadonlyMap<string, Identity>, source: SourceConfig,
  mine: (key: string) => IdentityKey | undefined, currentOf: ReadonlyMap<string, string>,
): EntryClaims {
  if (!followsKeyChanges(source) || !batch.records.some((r) => r.entry !== undefined)) return NONE;
  const byEntry = new Map<string, Identity | null>();
  for (const identity of existing.values()) {
    if (identity.sourceId !== source.id || identity.sourceEntry === undefined) continue;
    byEntry.set(identity.sourceEntry, byEntry.has(identity.sourceEntry) ? null : identity); // null: two people of one entry, neither followed
  }
  if (byEntry.size === 0) return NONE;
  const identityOf = (key: string): string | undefined => mine(key)?.identityId ?? (existing.get(key)?.sourceId === source.id ? key : undefined);
  const rowOf = new Map<string, SourceRecord>();
  for (const record of batch.records) {
    const id = identityOf(record.key);
    if (id !== undefined) rowOf.set(id, record);
  }
  const claims: EntryClaim[] = [];
  const held = new Set<SourceRecord>();
  const problems: SourceProblem[] = [];
  const diagnostics: Diagnostic[] = [];
  const hold = (record: SourceRecord, identity: Identity, message: string): void => {
    if (held.has(record)) return;
    held.add(record);
    const key = currentOf.get(identity.id) ?? identity.id;
    problems.push({ line: record.line ?? 0, key, message, ...(record.entry === undefined ? {} : { entry: record.entry }) });
    diagnostics.push({ severity: 'error', code: KEY_MOVED, identity: identity.id, message: `${source.id}: ${message}` });
  };
  for (const record of batch.records) {
    if (record.entry === undefined) continue;
    const owner = byEntry.get(record.entry);
    if (owner === undefined || owner === null) continue;
    const id = identityOf(record.key);
    if (id === owner.id) continue; // the entry's own person, under their key
    const previous = currentOf.get(owner.id) ?? owner.id;
    // The same key in another letter case or Unicode form: a respelling (respelled.ts), the identity keeps its key.
    if (id === undefined && foldKey(record.key) === foldKey(previous)) continue;
    if (id !== undefined) {
      // The key is another stored person's: a swap, or this entry given someone's key.
      const other = existing.get(id);
      const text = `entry ${record.entry} (key ${previous}, identity ${owner.id}) now has key ${record.key}, the key of identity ${id}`
        + `${other?.sourceEntry === undefined ? '' : ` (entry ${other.sourceEntry})`}: a key moved between two people cannot be followed; `
        + 'both are left as they are until the directory gives each entry a key of its own (or the source sets keyChanges: newPerson)';
      hold(record, owner, text);
      const theirs = rowOf.get(id);
      if (theirs !== undefined && other !== undefined) hold(theirs, other, text);
      continue;
    }
    const taken = rowOf.get(owner.id);
    if (taken !== undefined && taken.entry !== record.entry) {
      const text = `entry ${record.entry} changed its key ${previous} to ${record.key}, and entry ${taken.entry ?? '?'} took ${previous} in the same read: `
        + `${previous} cannot both follow identity ${owner.id} and name a new person; the rows are held until the old key is free of the other entry`;
      hold(record, owner, text);
      hold(taken, owner, text);
      continue;
    }
    claims.push({ record, previous, identity: owner });
  }
  // A claim whose row was held by a later row (the other side of a swap): not followed either.
  return { claims: claims.filter((c) => !held.has(c.record)), held, problems, diagnostics };
}

/** The diagnostic of a key followed through the entry. */
export function rekeyedDiagnostic(sourceId: string, identityId: string, from: string, to: string, entry: string | undefined): Diagnostic {
  return {
    severity: 'info', code: KEY_REKEYED, identity: identityId,
    message: `${sourceId}: entry ${entry ?? '?'} changed its key from ${from} to ${to}: the same person (keyChanges: follow); `
      + `identity ${identityId} keeps its accounts and history, with ${to} as its key`,
  };
}
