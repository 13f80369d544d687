import type { LifecycleConfig, SourceConfig } from '../config/types.js';
import { isRosterError } from '../core/errors.js';
import type { Diagnostic, Identity, LifecycleEvent, SourceBatch, SourceRecord } from '../core/types.js';
import { changeEvents, joinerEvents, type EventContext } from './events.js';
import { findMissing } from './missing.js';
import { isoOrUndefined, readRecordDates, sameAttributes, type RecordDates } from './record.js';
import { deriveState, effectiveState } from './state.js';

export interface MergeInput {
  readonly batch: SourceBatch;
  /** Stored identities (all of them, or at least this source's and the batch's keys). */
  readonly existing: ReadonlyMap<string, Identity>;
  readonly source: SourceConfig;
  readonly lifecycle: LifecycleConfig;
  readonly now: Date;
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
}

/** The last record per key (a duplicated key is reported). */
function lastPerKey(records: readonly SourceRecord[], sourceId: string, diagnostics: Diagnostic[]): Map<string, SourceRecord> {
  const byKey = new Map<string, SourceRecord>();
  for (const record of records) {
    if (byKey.has(record.key)) {
      diagnostics.push({
        severity: 'warning', code: 'source.duplicate_key', identity: record.key,
        message: `${sourceId}: key ${record.key} appears more than once (line ${record.line ?? '?'}); the last row wins`,
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
  const state = deriveState({ status: dates.status, startAt: dates.startAt, endAt: dates.endAt, missing: false }, input.now.getTime());
  let endAt = iso(dates.endAt);
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
  const startAt = iso(dates.startAt);
  if (startAt !== undefined) identity.startAt = startAt;
  if (endAt !== undefined) identity.endAt = endAt;
  return identity;
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
  const diagnostics: Diagnostic[] = [];
  const upserts: Identity[] = [];
  const events: LifecycleEvent[] = [];
  const present = new Set<string>();
  let unchanged = 0;
  let created = 0;
  let changed = 0;
  for (const problem of batch.problems) if (problem.key !== undefined && problem.key !== '') present.add(problem.key);

  for (const given of lastPerKey(batch.records, source.id, diagnostics).values()) {
    present.add(given.key);
    const before = existing.get(given.key);
    // A push or delta carries only what changed (a terminate may carry just the key
    // and an end date): lay it over what is known so nothing it did not mention is lost.
    const record = batch.complete || before === undefined ? given : { ...given, attributes: { ...before.attributes, ...given.attributes } };
    if (before !== undefined && before.sourceId !== source.id) {
      diagnostics.push({
        severity: 'error', code: 'source.key_conflict', identity: record.key,
        message: `${source.id}: key ${record.key} belongs to an identity of source ${before.sourceId}; the row is ignored`,
      });
      continue;
    }
    if (before !== undefined && before.missingSince === undefined && sameAttributes(before.attributes, record.attributes)) {
      unchanged += 1;
      continue;
    }
    let dates: RecordDates;
    try {
      dates = readRecordDates(record.attributes, source, lifecycle);
    } catch (error) {
      if (!isRosterError(error)) throw error;
      diagnostics.push({
        severity: 'error', code: 'source.invalid_date', identity: record.key,
        message: `${source.id} line ${record.line ?? '?'}: ${error.message}; the row is ignored`,
      });
      if (before !== undefined) unchanged += 1;
      continue;
    }
    const after = nextIdentity(record, dates, before, input, nowIso, iso);
    upserts.push(after);
    if (before === undefined) {
      created += 1;
      events.push(...joinerEvents(after, ctx));
    } else {
      changed += 1;
      events.push(...changeEvents(before, effectiveState(before, now), after, dates.status, ctx));
    }
  }

  const check = findMissing({ batch, existing, source, present, now });
  diagnostics.push(...check.diagnostics);
  const missing: string[] = [];
  for (const identity of check.gone) {
    const gone = markMissing(identity, now, nowIso);
    upserts.push(gone);
    missing.push(gone.id);
    const reasons = gone.state === 'rescinded' ? ['joiner.rescinded', 'leaver.missing_from_source'] : ['leaver.missing_from_source'];
    events.push({ kind: 'missing', identityId: gone.id, effectiveAt: nowIso, recordedAt: nowIso, reasons });
  }
  return { upserts, events, unchanged, created, changed, missing, diagnostics };
}
