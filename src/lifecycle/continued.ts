import type { LifecycleConfig, SourceConfig } from '../config/types.js';
import { isRosterError } from '../core/errors.js';
import type { Diagnostic, Identity, IdentityKey, SourceBatch, SourceProblem, SourceRecord } from '../core/types.js';
import { readRecordDates } from './record.js';
import { readsEntries, rowPlace } from './row-place.js';
import { entryClaims } from './rekeyed.js';
import { foldKey, KEY_RESPELLED } from './respelled.js';
import { awaitedBack, deriveState, effectiveState, isLive } from './state.js';

/**
 * A person rehired under a new key (many HR systems issue a new employee id
 * on rehire) continues the identity they had, when the source says so: the
 * row's `fields.previousKey` column names their former key. The identity
 * keeps its id (links, accounts, history), the new key becomes its current
 * key, and every former key stays an alias that changes nothing (a later row
 * or a replayed old file written with it). Never a guess: a previous key
 * naming someone still working, or named by two rows, is refused.
 */
export const KEY_CONTINUED = 'source.key_continued';
/** A row written with a former key of a continued identity: ignored, the person is not missing. */
export const KEY_SUPERSEDED = 'source.key_superseded';
/** The previous key names someone still working (two live people cannot be one): the row is skipped. */
export const PREVIOUS_KEY_ACTIVE = 'source.previous_key_active';
/** Two rows name the same previous key, or it was continued by another key already: the rows are skipped. */
export const PREVIOUS_KEY_AMBIGUOUS = 'source.previous_key_ambiguous';
/** The previous key names the row itself or nobody of the source: the row is a new person. */
export const PREVIOUS_KEY_IGNORED = 'source.previous_key_ignored';

/** One identity continued under a new key by this batch. */
export interface KeyContinuation {
  readonly identityId: string;
  /** The previous key the row named (the identity's current key until now). */
  readonly from: string;
  /** The row's key, the identity's current key from now on. */
  readonly to: string;
  readonly line?: number;
  /** The key rows to store with the identity (the merge adds them to its upserts). */
  readonly keys: readonly IdentityKey[];
  /** `entry`: the directory entry kept its entry id under a new key (rekeyed.ts): the same employment goes on, no rehire. */
  readonly via?: 'entry';
  /** The entry (via `entry`). */
  readonly entry?: string;
}

export interface ContinuedKeys {
  /**
   * Records keyed by their identity's id (a current key, a continuation); refused and former-key rows left out,
   * and so are problem rows of a former key: only the row of the current key says the person is in the read.
   */
  readonly batch: SourceBatch;
  /** By identity id. */
  readonly continuations: ReadonlyMap<string, KeyContinuation>;
  readonly diagnostics: readonly Diagnostic[];
}

export interface ContinueInput {
  readonly batch: SourceBatch;
  /** Stored identities by id: the source's (a snapshot), or at least those the batch's keys and previous keys name. */
  readonly existing: ReadonlyMap<string, Identity>;
  /** Stored identity keys by key: the source's, or at least the batch's keys and previous keys. */
  readonly keys: ReadonlyMap<string, IdentityKey>;
  readonly source: SourceConfig;
  readonly lifecycle: LifecycleConfig;
  readonly now: Date;
}

/**
 * The stored key row of this source a key names: exactly, else written in
 * another letter case or Unicode form (lifecycle/respelled.ts foldKey), when
 * one key folds so, the key is no stored identity's id exactly and, for a
 * current key, no row of the read has it exactly. A former key respelled is
 * still a former key: a late or replayed row of it changes nothing, and is
 * never taken as the identity whose id it folds to (that id is a former key).
 */
function keyLookup(input: ContinueInput): { mine: (key: string) => IdentityKey | undefined; respelled: (key: string) => IdentityKey | undefined } {
  const { keys, source, existing, batch } = input;
  let folded: Map<string, IdentityKey | null> | undefined;
  const exact = new Set(batch.records.map((r) => r.key));
  const respelled = (key: string): IdentityKey | undefined => {
    if (existing.has(key)) return undefined; // a person of their own
    if (folded === undefined) {
      folded = new Map();
      for (const stored of keys.values()) {
        if (stored.sourceId !== source.id) continue;
        const at = foldKey(stored.key);
        folded.set(at, folded.has(at) ? null : stored); // null: two keys fold alike, neither is taken
      }
    }
    const stored = folded.get(foldKey(key)) ?? undefined;
    return stored === undefined || stored.key === key || (stored.current && exact.has(stored.key)) ? undefined : stored;
  };
  const mine = (key: string): IdentityKey | undefined => {
    const stored = keys.get(key);
    if (stored !== undefined) return stored.sourceId === source.id ? stored : undefined;
    return respelled(key);
  };
  return { mine, respelled };
}

/** The previous key a record names, trimmed; '' when none. */
export function previousKeyOf(record: SourceRecord, source: SourceConfig): string {
  const field = source.fields.previousKey;
  if (field === undefined) return '';
  const value = record.attributes[field];
  return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
}

/** A message's start: "hr line 27" for a file's row; the source alone for a directory entry (the message names its key). */
function at(source: SourceConfig, record: SourceRecord): string {
  return readsEntries(source) ? source.id : rowPlace(source, record);
}

/** Another row named in a message: "E2 (line 4)" for a file's row, "E2" for a directory entry (its line is meaningless). */
function other(source: SourceConfig, record: SourceRecord): string {
  return readsEntries(source) ? record.key : `${record.key} (line ${record.line ?? '?'})`;
}

/** A claim of a record on a stored identity through its previous key. */
interface Claim {
  readonly record: SourceRecord;
  readonly previous: string;
  readonly identity: Identity;
  /** Through the record's directory entry (rekeyed.ts), not its previous key. */
  readonly via?: 'entry';
}

/**
 * Resolves the batch's keys through the stored identity keys and decides the
 * continuations its previous keys ask for. Pure: the engine reads `existing`
 * and `keys` (engine/continued-keys.ts) and the merge stores the key rows
 * with the identities (merge.ts).
 */
export function continueKeys(input: ContinueInput): ContinuedKeys {
  const { batch, existing, keys, source } = input;
  const unchanged: ContinuedKeys = { batch, continuations: new Map(), diagnostics: [] };
  const { mine, respelled } = keyLookup(input);
  const currentOf = new Map<string, string>();
  for (const stored of keys.values()) if (stored.current && stored.sourceId === source.id) currentOf.set(stored.identityId, stored.key);
  // A directory entry under a new key (rekeyed.ts): the entry is the person, whatever a previous key column says.
  const byEntry = entryClaims(batch, existing, source, mine, currentOf);
  const followed = new Set(byEntry.claims.map((c) => c.record));
  if (keys.size === 0 && source.fields.previousKey === undefined && followed.size === 0 && byEntry.held.size === 0) return unchanged;
  const diagnostics: Diagnostic[] = [...byEntry.diagnostics];

  const refused = new Set<SourceRecord>(byEntry.held);
  const claims = new Map<string, Claim[]>();
  for (const { record, previous, identity } of byEntry.claims) claims.set(identity.id, [...claims.get(identity.id) ?? [], { record, previous, identity, via: 'entry' }]);
  for (const record of batch.records) {
    if (followed.has(record) || refused.has(record)) continue;
    if (mine(record.key) !== undefined || existing.has(record.key)) continue; // a known person's key: nothing to continue
    const previous = previousKeyOf(record, source);
    if (previous === '') continue;
    const elsewhere = keys.get(record.key);
    if (elsewhere !== undefined) {
      // The key names a person of another source (continued there): taking it would leave that person without a key.
      diagnostics.push({
        severity: 'error', code: PREVIOUS_KEY_AMBIGUOUS, identity: record.key,
        message: `${at(source, record)}: key ${record.key} names ${previous} as its previous key, but ${record.key} is a key of identity `
          + `${elsewhere.identityId} of source ${elsewhere.sourceId}; the row is skipped`,
      });
      refused.add(record);
      continue;
    }
    const claim = claimOf(record, previous, input, mine);
    if (typeof claim === 'string') {
      diagnostics.push(claim === 'self' || claim === 'unknown' ? ignored(source, record, previous, claim) : alreadyContinued(source, record, previous, mine(previous)!, currentOf));
      if (claim === 'continued') refused.add(record);
      continue;
    }
    if (isWorking(claim.identity, input.now)) {
      diagnostics.push({
        severity: 'error', code: PREVIOUS_KEY_ACTIVE, identity: record.key,
        message: `${at(source, record)}: key ${record.key} names ${previous} as its previous key, but ${claim.identity.id} is still `
          + `${effectiveState(claim.identity, input.now)}: two people at work cannot be one. The row is skipped until ${previous} has left (or the previous key is corrected)`,
      });
      refused.add(record);
      continue;
    }
    const same = claims.get(claim.identity.id);
    if (same === undefined) claims.set(claim.identity.id, [claim]);
    else same.push(claim);
  }

  // Nothing to continue, refuse or resolve (a source whose rows name no new previous key): the batch as it is.
  if (claims.size === 0 && refused.size === 0 && keys.size === 0) return { ...unchanged, diagnostics };
  const held = byEntry.problems;
  const byKey = claims.size === 0 ? new Map<string, SourceRecord>() : new Map(batch.records.map((r) => [r.key, r]));
  const rekey = new Map<string, string>();
  const former = new Map<string, string>();
  const continuations = new Map<string, KeyContinuation>();
  const nowIso = input.now.toISOString();
  // Rows of one key naming the previous keys of two people: which one the key continues cannot be told.
  const claimedBy = new Map<string, Claim[]>();
  for (const group of claims.values()) for (const claim of group) claimedBy.set(claim.record.key, [...claimedBy.get(claim.record.key) ?? [], claim]);
  for (const [identityId, group] of claims) {
    const split = group.find((c) => new Set(claimedBy.get(c.record.key)!.map((o) => o.identity.id)).size > 1);
    if (split !== undefined) {
      for (const claim of group) refused.add(claim.record);
      diagnostics.push(twoPrevious(source, split.record.key, claimedBy.get(split.record.key)!.filter((c) => c.identity.id === identityId)));
      continue;
    }
    const currentKey = currentOf.get(identityId) ?? identityId;
    const own = byKey.get(currentKey);
    if (group.length > 1 || (own !== undefined && readsLive(own, input))) {
      for (const claim of group) {
        refused.add(claim.record);
        diagnostics.push(contested(source, claim, group, own));
      }
      continue;
    }
    const { record, previous, via } = group[0]!;
    rekey.set(record.key, identityId);
    for (const key of new Set([previous, identityId])) former.set(key, identityId);
    const rows: IdentityKey[] = [{ key: record.key, identityId, sourceId: source.id, current: true, recordedAt: nowIso }];
    for (const key of new Set([previous, identityId])) rows.push({ key, identityId, sourceId: source.id, current: false, recordedAt: nowIso });
    const how = via === undefined ? {} : { via, ...(record.entry === undefined ? {} : { entry: record.entry }) };
    continuations.set(identityId, { identityId, from: previous, to: record.key, ...(record.line === undefined ? {} : { line: record.line }), keys: rows, ...how });
  }

  const records: SourceRecord[] = [];
  let touched = refused.size > 0;
  for (const record of batch.records) {
    if (refused.has(record)) continue;
    const stored = mine(record.key);
    const formerOf = former.get(record.key) ?? (stored !== undefined && !stored.current ? stored.identityId : undefined);
    if (formerOf !== undefined) {
      // Left out, and not counted present: the row of the current key says whether the person is still in the read.
      touched = true;
      diagnostics.push(superseded(source, record, formerOf, continuations.get(formerOf)?.to ?? currentOf.get(formerOf), existing.get(formerOf)?.sourceEntry));
      continue;
    }
    const id = rekey.get(record.key) ?? stored?.identityId;
    if (stored !== undefined && respelled(record.key) === stored) diagnostics.push(respelledKey(source, record, stored));
    if (id === undefined || id === record.key) records.push(record);
    else {
      touched = true;
      records.push({ ...record, key: id });
    }
  }
  if (!touched && keys.size === 0) return { ...unchanged, diagnostics };
  const problems = [...batch.problems, ...held].flatMap((p) => problemOf(p, mine, former));
  return { batch: { ...batch, records, problems, ...goneOf(batch, mine, former) }, continuations, diagnostics };
}

type Refusal = 'self' | 'unknown' | 'continued';

/** The stored identity of this source a previous key names, or why none is taken. */
function claimOf(record: SourceRecord, previous: string, input: ContinueInput, mine: (key: string) => IdentityKey | undefined): Claim | Refusal {
  if (previous === record.key) return 'self';
  const stored = mine(previous);
  if (stored !== undefined && !stored.current) return 'continued'; // a former key: someone continued that person already
  const identity = input.existing.get(stored?.identityId ?? previous);
  if (identity === undefined || identity.sourceId !== input.source.id) return 'unknown';
  return { record, previous, identity };
}

/** Working, or due to work: on the source's books (not gone from it) and live, or in the gap before a next employment. */
function isWorking(identity: Identity, now: Date): boolean {
  if (identity.missingSince !== undefined) return false;
  return isLive(effectiveState(identity, now)) || awaitedBack(identity, now);
}

/** The batch's own row of the identity says the person works: the continuation is contested (a row whose dates do not read counts as working). */
function readsLive(record: SourceRecord, input: ContinueInput): boolean {
  try {
    const dates = readRecordDates(record.attributes, input.source, input.lifecycle);
    return isLive(deriveState({ ...dates, missing: false }, input.now.getTime()));
  } catch (error) {
    if (isRosterError(error)) return true;
    throw error;
  }
}

/**
 * A problem row named by a current key is its identity's (who is not missing); one named by a former key is
 * left out: an unreadable old row says nothing of the person now, and must not keep them from being missing.
 */
function problemOf(problem: SourceProblem, mine: (key: string) => IdentityKey | undefined, former: ReadonlyMap<string, string>): SourceProblem[] {
  if (problem.key === undefined || problem.key === '') return [problem];
  const stored = mine(problem.key);
  if (former.has(problem.key) || (stored !== undefined && !stored.current)) return [];
  return stored === undefined ? [problem] : [{ ...problem, key: stored.identityId }];
}

/** Keys a delta reports gone: a current key is its identity's; a former key is nobody now (the person is there under the new one). */
function goneOf(batch: SourceBatch, mine: (key: string) => IdentityKey | undefined, former: ReadonlyMap<string, string>): { gone?: readonly string[] } {
  if (batch.gone === undefined) return {};
  const gone: string[] = [];
  for (const key of batch.gone) {
    const stored = mine(key);
    if (former.has(key) || (stored !== undefined && !stored.current)) continue;
    gone.push(stored?.identityId ?? key);
  }
  return { gone };
}

function ignored(source: SourceConfig, record: SourceRecord, previous: string, why: 'self' | 'unknown'): Diagnostic {
  const reason = why === 'self' ? 'its own key' : `a key no identity of source ${source.id} has (it may predate Roster)`;
  return {
    severity: 'warning', code: PREVIOUS_KEY_IGNORED, identity: record.key,
    message: `${at(source, record)}: key ${record.key} names ${previous} as its previous key, ${reason}; the row is read as a new person`,
  };
}

function alreadyContinued(source: SourceConfig, record: SourceRecord, previous: string, stored: IdentityKey, currentOf: ReadonlyMap<string, string>): Diagnostic {
  const now = currentOf.get(stored.identityId);
  return {
    severity: 'error', code: PREVIOUS_KEY_AMBIGUOUS, identity: record.key,
    message: `${at(source, record)}: key ${record.key} names ${previous} as its previous key, but ${previous} was continued `
      + `as ${now ?? 'another key'} already (identity ${stored.identityId}); the row is skipped: correct its previous key`,
  };
}

function contested(source: SourceConfig, claim: Claim, group: readonly Claim[], own: SourceRecord | undefined): Diagnostic {
  const others = group.filter((c) => c !== claim).map((c) => other(source, c.record));
  const why = others.length > 0
    ? `so do ${others.join(', ')}: which of them is the person cannot be told`
    : `but this read's row of ${other(source, own!)} says that person is still at work`;
  return {
    severity: 'error', code: PREVIOUS_KEY_AMBIGUOUS, identity: claim.record.key,
    message: `${at(source, claim.record)}: key ${claim.record.key} names ${claim.previous} as its previous key, ${why}; the row is skipped`,
  };
}

function respelledKey(source: SourceConfig, record: SourceRecord, stored: IdentityKey): Diagnostic {
  return {
    severity: 'warning', code: KEY_RESPELLED, identity: stored.identityId,
    message: `${at(source, record)}: key "${record.key}" is the key "${stored.key}" of identity ${stored.identityId} (it differs only in letter case `
      + 'or Unicode form); taken as the same person. Correct the key in the source to stop this warning',
  };
}

function twoPrevious(source: SourceConfig, key: string, claims: readonly Claim[]): Diagnostic {
  const rows = claims.map((c) => `${readsEntries(source) ? c.record.key : `line ${c.record.line ?? '?'}`} names ${c.previous}`).join(', ');
  return {
    severity: 'error', code: PREVIOUS_KEY_AMBIGUOUS, identity: key,
    message: `${source.id}: rows of key ${key} name the previous keys of more than one person (${rows}, and another row names someone else): `
      + 'which of them the key continues cannot be told; the rows are skipped',
  };
}

/**
 * A row under a former key. From another directory entry than the identity's
 * own (an employee number given again to a new person), it is someone else,
 * who is not provisioned while their key is a former key of another person:
 * a warning, not the quiet note of a stale row.
 */
function superseded(source: SourceConfig, record: SourceRecord, identityId: string, current: string | undefined, ownEntry: string | undefined): Diagnostic {
  if (record.entry !== undefined && ownEntry !== undefined && record.entry !== ownEntry) {
    return {
      severity: 'warning', code: KEY_SUPERSEDED, identity: identityId,
      message: `${at(source, record)}: key ${record.key} is a former key of identity ${identityId} (continued as ${current ?? 'another key'}), `
        + `but this entry (${record.entry}) is not theirs: it is read as nobody and gets no account until it has a key of its own`,
    };
  }
  return {
    severity: 'info', code: KEY_SUPERSEDED, identity: identityId,
    message: `${at(source, record)}: key ${record.key} is a former key of identity ${identityId}, continued as ${current ?? 'another key'}; `
      + 'the row changes nothing (the person is read from the row of their current key)',
  };
}
