import { RosterError } from '../core/errors.js';
import type { SourceBatch } from '../core/types.js';
import { BatchBuilder, type RecordRules } from './batch.js';
import { addItem } from './json.js';
import { CHANGED_AT_FIELD, readChangedAt, supersededInBatch, type SkippedRecord } from './push-order.js';
import { cleanOrUndefined } from './text.js';
import { describeJson, isPlainObject } from './values.js';

/** Largest number of records one push body may carry. */
export const MAX_PUSH_RECORDS = 10_000;

export interface PushOptions extends RecordRules {
  /** The time a `terminate` without an end date takes effect. */
  readonly now: Date;
  /** Column set to "terminated" by a `terminate` action (the source's status field). */
  readonly statusField: string;
  /**
   * The status a `terminate` writes (default "terminated"): give one of
   * lifecycle.terminatedStatuses, or the status means nothing to the
   * lifecycle and a terminate of a future hire (whose end date, before the
   * start, is dropped) changes nothing.
   */
  readonly terminatedStatus?: string;
  /** Column set to the end date by a `terminate` action. */
  readonly endDateField: string;
}

/** The status a `terminate` action writes unless told another (PushOptions.terminatedStatus). */
export const TERMINATED_STATUS = 'terminated';

/** A parsed push: the batch, the `_changedAt` (ms) of its records that carry one (by line), and the records a later one of the same person in the push superseded. */
export interface PushBatch extends SourceBatch {
  readonly changedAt: ReadonlyMap<number, number>;
  readonly superseded: readonly SkippedRecord[];
}

/**
 * Parse the body an HR system POSTs to /api/v1/sources/{id}/records:
 * `{ "records": [ { ...attributes, "_action"?: "upsert" | "terminate" } ] }`.
 * `upsert` (the default) carries the person's attributes; `terminate` needs
 * only the key (and optionally the end date) and yields a record whose status
 * is "terminated" and whose end date is the given one or `now`. The batch is
 * never complete: people absent from a push are not leavers.
 *
 * A body that is not of that shape throws RosterError('request.invalid');
 * problems with single records are SourceProblems (line = index + 1).
 * `_changedAt` (optional, see push-order.ts) is taken out of the attributes;
 * a malformed one throws RosterError('request.invalid') naming the index.
 */
export function parsePushBody(body: unknown, options: PushOptions): PushBatch {
  const records = readRecords(body);
  const builder = new BatchBuilder(options);
  /** Lines of the terminates that carry no end date (they end on arrival). */
  const onArrival = new Set<number>();
  const changedAt = new Map<number, number>();
  const given = records.map((item, index) => ({ key: orderKey(item, options.key), at: readChangedAt(item, index) }));
  const superseded = supersededInBatch(given);
  records.forEach((item, index) => {
    const line = index + 1;
    if (superseded.has(index)) return;
    const at = given[index]!.at;
    if (at !== undefined) changedAt.set(line, at);
    const prepared = applyAction(item, options);
    if (typeof prepared === 'string') {
      builder.reject(line, prepared, keyOf(item, options.key));
      return;
    }
    if (prepared.onArrival) onArrival.add(line);
    addItem(prepared.attributes, line, options.key, builder);
  });
  const batch = builder.build(false);
  const extra = { changedAt, superseded: [...superseded.values()] };
  if (onArrival.size === 0) return { ...batch, ...extra };
  return { ...batch, ...extra, records: batch.records.map((r) => (onArrival.has(r.line ?? 0) ? { ...r, endsOnArrival: true } : r)) };
}

function readRecords(body: unknown): readonly Record<string, unknown>[] {
  if (!isPlainObject(body)) {
    throw new RosterError('request.invalid', `push body must be a JSON object with a "records" array, got ${describeJson(body)}`);
  }
  const records = body.records;
  if (!Array.isArray(records)) {
    throw new RosterError('request.invalid', 'push body must have a "records" array');
  }
  if (records.length > MAX_PUSH_RECORDS) {
    throw new RosterError('request.invalid', `push body has ${records.length} records; at most ${MAX_PUSH_RECORDS} are accepted per request`);
  }
  records.forEach((item: unknown, index) => {
    if (!isPlainObject(item)) {
      throw new RosterError('request.invalid', `records[${index}] is ${describeJson(item)}, not an object`);
    }
  });
  return records as Record<string, unknown>[];
}

/**
 * The record to check, without `_action` (and whether it is a terminate
 * ending on arrival); or a message when the action is unknown. An end date
 * that is given but is not a string is left for the checks to report, never
 * replaced by now.
 */
function applyAction(
  item: Readonly<Record<string, unknown>>, options: PushOptions,
): { attributes: Record<string, unknown>; onArrival: boolean } | string {
  const { _action: action = 'upsert', [CHANGED_AT_FIELD]: _changedAt, ...attributes } = item;
  if (action === 'upsert') return { attributes, onArrival: false };
  if (action !== 'terminate') {
    return `unknown _action ${JSON.stringify(action)}: expected "upsert" or "terminate"`;
  }
  const endDate = attributes[options.endDateField];
  const absent = endDate === undefined || endDate === null || (typeof endDate === 'string' && endDate.trim() === '');
  return {
    attributes: {
      ...attributes,
      [options.statusField]: options.terminatedStatus ?? TERMINATED_STATUS,
      [options.endDateField]: absent ? options.now.toISOString() : endDate,
    },
    onArrival: absent,
  };
}

function keyOf(item: Readonly<Record<string, unknown>>, keyField: string): string | undefined {
  const key = item[keyField];
  return typeof key === 'string' ? cleanOrUndefined(key.trim()) : undefined;
}

/** The key that groups a person's records for `_changedAt` in one push (a number key is read as its text, as the record checks do). */
function orderKey(item: Readonly<Record<string, unknown>>, keyField: string): string | undefined {
  const key = item[keyField];
  return typeof key === 'number' && Number.isFinite(key) ? String(key) : keyOf(item, keyField);
}
