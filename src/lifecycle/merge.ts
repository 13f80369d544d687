import type { LifecycleConfig, SourceConfig } from '../config/types.js';
import { isRosterError } from '../core/errors.js';
import type { Diagnostic, Identity, IdentityKey, LifecycleEvent, SourceBatch, SourceRecord } from '../core/types.js';
import { KEY_CONTINUED, type ContinuedKeys, type KeyContinuation } from './continued.js';
import { rekeyedDiagnostic } from './rekeyed.js';
import { changeEvents, joinerEvents, type EventContext } from './events.js';
import { withEmployment } from './employment.js';
import { findMissing } from './missing.js';
import { readsEntries, rowPlace } from './row-place.js';
import { unlinkedReports } from './unlinked.js';
import { isoOrUndefined, readRecordDates, sameAttributes, type RecordDates } from './record.js';
import { classifyStatus, deriveState, effectiveState, isLive, storedState } from './state.js';

export interface MergeInput {
  readonly batch: SourceBatch;
  /** Stored identities (all of them, or at least this source's and the batch's keys). */
  readonly existing: ReadonlyMap<string, Identity>;
  readonly source: SourceConfig;
  readonly lifecycle: LifecycleConfig;
  readonly now: Date;
  /** The batch's keys resolved through the stored identity keys, and the continuations it asks for (continued.ts continueKeys: `batch` is its batch). */
  readonly continuation?: ContinuedKeys;
}

export interface MergeResult {
  /** New and changed identities, to store. */
  readonly upserts: readonly Identity[];
  readonly events: readonly LifecycleEvent[];
  readonly unchanged: number;
  readonly created: number;
  readonly changed: number;
  /** Ids marked missing (gone from a complete snapshot) by this batch. */
  readonly missing: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  /** Identity keys to store with `upserts` (in the same transaction): those of the continuations stored. */
  readonly keys: readonly IdentityKey[];
}

/** The last record per key (a duplicated key is reported). */
function lastPerKey(records: readonly SourceRecord[], source: SourceConfig, diagnostics: Diagnostic[]): Map<string, SourceRecord> {
  const byKey = new Map<string, SourceRecord>();
  for (const record of records) {
    if (byKey.has(record.key)) {
      diagnostics.push({
        severity: 'warning', code: 'source.duplicate_key', identity: record.key,
        message: readsEntries(source)
          ? `${source.id}: key ${record.key} is on more than one entry; the last one read wins`
          : `${source.id}: key ${record.key} appears more than once (line ${record.line ?? '?'}); the last row wins`,
      });
    }
    byKey.set(record.key, record);
  }
  return byKey;
}

/**
 * The identity a record makes of `before` (or a new one). Built as one
 * object literal, optional dates last (the key order the spread-built
 * object had): one allocation per identity, all of the same shape.
 */
function nextIdentity(
  record: SourceRecord, dates: RecordDates, before: Identity | undefined, input: MergeInput, nowIso: string, iso: IsoDates,
): Identity {
  const continued = continuedStart(before, dates, input);
  const startMs = continued ?? dates.startAt;
  const until = continued === undefined ? currentEnd(before, dates, input) : undefined;
  const state = until !== undefined ? 'active'
    : storedState({ status: dates.status, startAt: startMs, endAt: dates.endAt, missing: false }, input.now.getTime());
  let endAt = iso(until ?? dates.endAt);
  if (state === 'terminated' && endAt === undefined) {
    // Terminated by status without a date: the termination is recorded now (kept on later changes).
    endAt = before?.state === 'terminated' && before.missingSince === undefined && before.endAt !== undefined ? before.endAt : nowIso;
  }
  const identity: { -readonly [K in keyof Identity]: Identity[K] } = {
    id: record.key,
    sourceId: input.source.id,
    attributes: record.attributes,
    state,
    version: before === undefined ? 1 : before.version + 1,
    createdAt: before?.createdAt ?? nowIso,
    updatedAt: nowIso,
  };
  const startAt = iso(startMs);
  if (startAt !== undefined) identity.startAt = startAt;
  if (endAt !== undefined) identity.endAt = endAt;
  const entry = entryOf(record, before, input.source.id);
  if (entry !== undefined) identity.sourceEntry = entry;
  // Kept through later changes (employment.ts withEmployment records or drops it from the change's events).
  if (before?.rehiredAt !== undefined) identity.rehiredAt = before.rehiredAt;
  return identity;
}

/**
 * The directory entry an identity is read from (Identity.sourceEntry): the
 * record's, else the one stored while the identity stays with this source
 * (an entry id means nothing to another source).
 */
function entryOf(record: SourceRecord, before: Identity | undefined, sourceId: string): string | undefined {
  return record.entry ?? (before?.sourceId === sourceId ? before.sourceEntry : undefined);
}

/**
 * Only the entry differs (an identity stored before Roster kept it, or an AD
 * account re-created under the same key): stored without an event, since the
 * person did not change.
 */
function withEntry(before: Identity, entry: string, nowIso: string): Identity {
  return { ...before, sourceEntry: entry, version: before.version + 1, updatedAt: nowIso };
}

/** Default of lifecycle.conversionGapDays: a weekend and a holiday between two employments are no break. */
export const DEFAULT_CONVERSION_GAP_DAYS = 3;
const DAY_MS = 86_400_000;

/**
 * A conversion entered ahead of time: someone working now (active or on
 * leave) whose row now starts a new employment in the future, within
 * lifecycle.conversionGapDays of the end of the current one (a contract
 * ending 30 November, the same person an employee from 1 December, entered
 * in November). Read as a future hire, they would lose their access until
 * the new start; they keep working instead: the current employment's start
 * (ms) stays until the row's start has come. A new start before the current
 * end (they overlap) is continuous too. A new start with no end before it, or
 * after a longer gap, is a postponed or a new hire, as before.
 */
function continuedStart(before: Identity | undefined, dates: RecordDates, input: MergeInput): number | undefined {
  const { startAt } = dates;
  if (before?.startAt === undefined || startAt === undefined || startAt <= input.now.getTime()) return undefined;
  const working = effectiveState(before, input.now);
  if (working !== 'active' && working !== 'leave') return undefined;
  // After the current employment's end; or, already bridged (a later change before the new start), after the start bridged to.
  const from = before.endAt !== undefined ? Date.parse(before.endAt) : bridgedTo(before, before.startAt, input);
  if (from === undefined) return undefined;
  const gapDays = input.lifecycle.conversionGapDays ?? DEFAULT_CONVERSION_GAP_DAYS;
  if (startAt - from > gapDays * DAY_MS) return undefined;
  // A new start before the current end (the two overlap) is continuous too. Stored after a gap (currentEnd: an end
  // before the start), the start is the next employment's, to come: the current one started before it was stored.
  const stored = Date.parse(before.startAt);
  return before.endAt !== undefined && Date.parse(before.endAt) < stored ? Math.min(Date.parse(before.createdAt), input.now.getTime()) : stored;
}

/**
 * A next employment entered ahead, after a longer gap than conversionGapDays,
 * while the current one still runs (a contract ending 30 September, the same
 * person an employee from 15 October, entered in August): the person keeps
 * working until the current end (ms), then is a leaver until the new start
 * (effectiveState reads an end before the start so). Undefined otherwise:
 * when the row gives an end of its own, the new employment is read as before.
 */
function currentEnd(before: Identity | undefined, dates: RecordDates, input: MergeInput): number | undefined {
  const { startAt } = dates;
  if (before?.endAt === undefined || startAt === undefined || dates.endAt !== undefined || dates.status !== 'active') return undefined;
  const end = Date.parse(before.endAt);
  const now = input.now.getTime();
  if (end <= now || startAt <= end || effectiveState(before, input.now) !== 'active') return undefined;
  return end;
}

/** The new start a bridged identity waits for: its row's start, when later than the start stored (continuedStart kept the earlier one). */
function bridgedTo(before: Identity, stored: string, input: MergeInput): number | undefined {
  try {
    const { startAt } = readRecordDates(before.attributes, input.source, input.lifecycle);
    return startAt !== undefined && startAt > Date.parse(stored) ? startAt : undefined;
  } catch (error) {
    if (isRosterError(error)) return undefined; // a stored row whose dates no longer read: no bridge
    throw error;
  }
}

/** isoOrUndefined, remembered per instant: a batch holds the same few thousand start and end dates many times. */
type IsoDates = (ms: number | undefined) => string | undefined;

function isoDates(): IsoDates {
  const known = new Map<number, string>();
  return (ms) => {
    if (ms === undefined) return undefined;
    let text = known.get(ms);
    if (text === undefined) {
      text = isoOrUndefined(ms)!;
      known.set(ms, text);
    }
    return text;
  };
}

/** Marks an identity gone from a complete snapshot: a prehire is rescinded, anyone else terminated. */
function markMissing(identity: Identity, now: Date, nowIso: string): Identity {
  const state = deriveState({ status: 'active', startAt: parse(identity.startAt), endAt: undefined, missing: true }, now.getTime());
  const endAt = identity.endAt !== undefined && Date.parse(identity.endAt) <= now.getTime() ? identity.endAt : nowIso;
  return { ...identity, state, endAt, missingSince: nowIso, version: identity.version + 1, updatedAt: nowIso };
}

/**
 * A push or delta record laid over what is known of the person. A terminate
 * that ends on arrival keeps the end date of someone already terminated: a
 * repeated (or late) delivery must not move the date the person left.
 */
function overlay(given: SourceRecord, before: Identity, source: SourceConfig, now: Date): SourceRecord {
  const attributes = { ...before.attributes, ...given.attributes };
  const field = source.fields.endDate;
  if (given.endsOnArrival && before.missingSince === undefined && effectiveState(before, now) === 'terminated') {
    if (Object.hasOwn(before.attributes, field)) attributes[field] = before.attributes[field];
    else delete attributes[field];
  }
  return { ...given, attributes };
}

type Claim = 'conflict' | 'left' | 'ignore' | 'transfer';

/**
 * A row whose key belongs to an identity of another source. Each source keeps
 * its own people: a live person claimed by two sources is a conflict (the row
 * is ignored, an error); a row saying that a person active in another source
 * left is ignored with a warning; a leaver row for a leaver changes nothing.
 * A live row takes over someone no longer active in their source (terminated,
 * rescinded, gone from it), as when a contractor in one HR file becomes an
 * employee in another; only then does the identity change source.
 */
function claimOf(record: SourceRecord, before: Identity, input: MergeInput): Claim {
  const heldThere = before.missingSince === undefined && isLive(effectiveState(before, input.now));
  let live: boolean;
  try {
    const dates = readRecordDates(record.attributes, input.source, input.lifecycle);
    live = isLive(deriveState({ status: dates.status, startAt: dates.startAt, endAt: dates.endAt, missing: false }, input.now.getTime()));
  } catch (error) {
    if (!isRosterError(error)) throw error;
    return heldThere ? 'conflict' : 'ignore'; // dates that cannot be read never take anyone over
  }
  if (!live) return heldThere ? 'left' : 'ignore';
  return heldThere ? 'conflict' : 'transfer';
}

function claimDiagnostic(claim: Claim, sourceId: string, key: string, owner: string): Diagnostic | undefined {
  switch (claim) {
    case 'conflict':
      return { severity: 'error', code: 'source.key_conflict', identity: key,
        message: `${sourceId}: key ${key} belongs to an identity of source ${owner}; the row is ignored` };
    case 'left':
      // Said loudly: it may be a termination pushed to the wrong source (or a leaver row kept after the person moved).
      return { severity: 'warning', code: 'source.key_conflict', identity: key,
        message: `${sourceId}: key ${key} belongs to source ${owner}, where the person is active; this row says they left and is ignored` };
    case 'transfer':
      return { severity: 'info', code: 'source.key_transferred', identity: key,
        message: `${sourceId}: key ${key} moves over from source ${owner}, where the person is no longer active` };
    default:
      return undefined;
  }
}

/**
 * A future hire on leave stored as 'prehire' (before storedState): derived
 * again, though the row did not change, so the leave is kept once the start
 * comes (or now, when it has come already).
 */
function storedBeforeLeave(before: Identity, source: SourceConfig, lifecycle: LifecycleConfig): boolean {
  return before.state === 'prehire' && classifyStatus(before.attributes[source.fields.status], lifecycle) === 'leave';
}

function parse(iso: string | undefined): number | undefined {
  return iso === undefined ? undefined : Date.parse(iso);
}

/**
 * Merge a source batch into identities: one identity per key, with its
 * lifecycle state, and the lifecycle events the batch caused. Pure: the
 * caller stores `upserts` and `events`.
 */
export function mergeBatch(input: MergeInput): MergeResult {
  const { batch, existing, source, lifecycle, now } = input;
  const nowIso = now.toISOString();
  const ctx: EventContext = { source, now: now.getTime(), nowIso };
  const iso = isoDates();
  const diagnostics: Diagnostic[] = [...(input.continuation?.diagnostics ?? [])];
  const upserts: Identity[] = [];
  const events: LifecycleEvent[] = [];
  const keys: IdentityKey[] = [];
  let unchanged = 0;
  let created = 0;
  let changed = 0;
  const byKey = lastPerKey(batch.records, source, diagnostics);
  const problemKeys = new Set<string>();
  for (const problem of batch.problems) if (problem.key !== undefined && problem.key !== '') problemKeys.add(problem.key);
  // The batch's keys and those a problem row protects: looked up where they are, not copied into one more set of every key.
  const present = { has: (key: string) => byKey.has(key) || problemKeys.has(key) };
  const check = findMissing({ batch, existing, source, present, now });
  // A deleted manager's reports, whose link the directory dropped unread (unlinked.ts); not while the batch is held as truncated.
  const unlinked = check.diagnostics.some((d) => d.code === 'source.truncated') ? [] : unlinkedReports({ batch, existing, source, present });

  for (const given of unlinked.length === 0 ? byKey.values() : [...byKey.values(), ...unlinked]) {
    const before = existing.get(given.key);
    // A push or delta carries only what changed (a terminate may carry just the key
    // and an end date): lay it over what is known so nothing it did not mention is lost.
    const record = batch.complete || before === undefined ? given : overlay(given, before, source, now);
    if (before !== undefined && before.sourceId !== source.id) {
      const claim = claimOf(record, before, input);
      const diagnostic = claimDiagnostic(claim, source.id, record.key, before.sourceId);
      if (diagnostic !== undefined) diagnostics.push(diagnostic);
      if (claim !== 'transfer') {
        if (claim !== 'conflict') unchanged += 1;
        continue;
      }
    }
    const continued = input.continuation?.continuations.get(given.key);
    if (continued === undefined && before !== undefined && before.missingSince === undefined && sameAttributes(before.attributes, record.attributes)
      && !storedBeforeLeave(before, source, lifecycle)) {
      unchanged += 1;
      if (record.entry !== undefined && before.sourceId === source.id && record.entry !== before.sourceEntry) upserts.push(withEntry(before, record.entry, nowIso));
      continue;
    }
    let dates: RecordDates;
    try {
      dates = readRecordDates(record.attributes, source, lifecycle);
    } catch (error) {
      if (!isRosterError(error)) throw error;
      diagnostics.push({
        severity: 'error', code: 'source.invalid_date', identity: record.key,
        message: `${rowPlace(source, record)}: ${error.message}; the ${readsEntries(source) ? 'entry' : 'row'} is ignored`,
      });
      if (before !== undefined) unchanged += 1;
      continue;
    }
    const after = nextIdentity(record, dates, before, input, nowIso, iso);
    if (before === undefined) {
      created += 1;
      upserts.push(after);
      events.push(...joinerEvents(after, ctx));
    } else {
      changed += 1;
      const caused = changeEvents(before, effectiveState(before, now), after, dates.status, ctx, continued);
      upserts.push(withEmployment(before, after, caused));
      events.push(...caused);
      if (continued !== undefined) {
        keys.push(...continued.keys);
        diagnostics.push(continuedDiagnostic(continued, source));
      }
    }
  }

  diagnostics.push(...check.diagnostics);
  const missing: string[] = [];
  for (const identity of check.gone) {
    const gone = markMissing(identity, now, nowIso);
    upserts.push(gone);
    missing.push(gone.id);
    const reasons = gone.state === 'rescinded' ? ['joiner.rescinded', 'leaver.missing_from_source'] : ['leaver.missing_from_source'];
    events.push({ kind: 'missing', identityId: gone.id, effectiveAt: nowIso, recordedAt: nowIso, reasons });
  }
  return { upserts, events, unchanged, created, changed, missing, diagnostics, keys };
}

function continuedDiagnostic(continued: KeyContinuation, source: SourceConfig): Diagnostic {
  if (continued.via === 'entry') return rekeyedDiagnostic(source.id, continued.identityId, continued.from, continued.to, continued.entry);
  return {
    severity: 'info', code: KEY_CONTINUED, identity: continued.identityId,
    message: `${readsEntries(source) ? source.id : rowPlace(source, continued)}: key ${continued.to} continues ${continued.from} (its previous key): `
      + `identity ${continued.identityId} keeps its accounts and history, with ${continued.to} as its key`,
  };
}
